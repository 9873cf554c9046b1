// Everything in CSiltaCPU is an inline function in its header; SwiftPM
// needs one source file for a C target.
#include "CSiltaCPU.h"
