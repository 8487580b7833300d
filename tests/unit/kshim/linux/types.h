/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim of <linux/types.h> for the tests of kmod/tcp_logic.h: the
 * kernel's fixed-width types. Only test_tcp.c puts kshim/ on its include
 * path.
 */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;

#endif
