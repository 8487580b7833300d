// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that instantiates replcopy's tracepoints (see trace.h).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
