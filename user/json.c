// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - minimal JSON writer (see json.h).
 */
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

void json_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void sep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		json_quote(j->f, key);
		fputc(':', j->f);
	}
}

static void jopen(struct json *j, const char *key, char c)
{
	sep(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void jclose(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	jopen(j, key, '{');
}

void json_obj_end(struct json *j)
{
	jclose(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	jopen(j, key, '[');
}

void json_arr_end(struct json *j)
{
	jclose(j, ']');
}

void json_str(struct json *j, const char *key, const char *v)
{
	sep(j, key);
	if (v)
		json_quote(j->f, v);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}

void json_fixed2(struct json *j, const char *key, uint64_t x100)
{
	sep(j, key);
	fprintf(j->f, "%" PRIu64 ".%02" PRIu64, x100 / 100, x100 % 100);
}

void json_double(struct json *j, const char *key, double v)
{
	sep(j, key);
	fprintf(j->f, "%.3f", v);
}
