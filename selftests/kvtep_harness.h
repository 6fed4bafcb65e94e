/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's kselftest harness (extracted into build/kselftest by the
 * build), included once here for every C test.
 *
 * The harness is not -Wextra clean: an unused parameter in the header,
 * and setjmp() next to a local in TEST_F()'s expansion (-O2), so
 * -Wclobbered stays off for the rest of the test file.
 */
#ifndef KVTEP_HARNESS_H
#define KVTEP_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

#endif /* KVTEP_HARNESS_H */
