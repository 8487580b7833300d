/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a minimal streaming JSON writer (compact output, one value per
 * call). Keys are given with each value; pass NULL inside arrays and for
 * the top-level value.
 */
#ifndef REPLCTL_JSON_H
#define REPLCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
/* v == NULL writes null. */
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* A fixed-point number with two decimals: 9999 -> 99.99. */
void json_fixed2(struct json *j, const char *key, uint64_t x100);
/* A number with three decimals (timestamps, intervals). */
void json_double(struct json *j, const char *key, double v);
/* The string s, quoted and escaped as JSON requires. */
void json_quote(FILE *f, const char *s);

#endif
