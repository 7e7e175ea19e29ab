/*
 * vtab_common.h: everything a procnet table's file includes: vtab.h (the
 * context, the vtab, registration), constraint.h (claiming constraints and
 * taking their values) and cursor.h (cursors and the walk over processes).
 */
#ifndef PROCNET_VTAB_COMMON_H
#define PROCNET_VTAB_COMMON_H

#include "constraint.h"
#include "cursor.h"
#include "vtab.h"

#endif
