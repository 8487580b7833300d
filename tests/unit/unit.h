/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h - shared helpers of replctl's host unit tests (cmocka): capturing
 * what a function writes to a FILE *, a strict JSON syntax checker, and a
 * check of JSON text with python3 -m json.tool when python3 is there.
 */
#ifndef REPLCTL_UNIT_H
#define REPLCTL_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- capture -------------------------------------------------------- */

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *capture_begin(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

/* The text written since capture_begin(); free() it. */
static inline char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* ---- JSON syntax (RFC 8259), strict -------------------------------- */

struct jp {
	const char *p;
	int depth;
};

static bool jp_value(struct jp *j);

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	       *j->p == '\r')
		j->p++;
}

static bool jp_string(struct jp *j)
{
	int i;

	if (*j->p != '"')
		return false;
	j->p++;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (strchr("\"\\/bfnrt", *j->p) && *j->p) {
				j->p++;
				continue;
			}
			if (*j->p != 'u')
				return false;
			j->p++;
			for (i = 0; i < 4; i++, j->p++)
				if (!isxdigit((unsigned char)*j->p))
					return false;
			continue;
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool jp_number(struct jp *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (isdigit((unsigned char)*j->p))
		while (isdigit((unsigned char)*j->p))
			j->p++;
	else
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	return true;
}

static bool jp_container(struct jp *j, char open, char close, bool obj)
{
	if (*j->p != open || ++j->depth > 64)
		return false;
	j->p++;
	jp_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		jp_ws(j);
		if (obj) {
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != close)
			return false;
		j->p++;
		j->depth--;
		return true;
	}
}

static bool jp_value(struct jp *j)
{
	jp_ws(j);
	switch (*j->p) {
	case '{':
		return jp_container(j, '{', '}', true);
	case '[':
		return jp_container(j, '[', ']', false);
	case '"':
		return jp_string(j);
	case 't':
		return !strncmp(j->p, "true", 4) && (j->p += 4);
	case 'f':
		return !strncmp(j->p, "false", 5) && (j->p += 5);
	case 'n':
		return !strncmp(j->p, "null", 4) && (j->p += 4);
	default:
		return jp_number(j);
	}
}

/* True when s is exactly one JSON document (whitespace around allowed). */
static inline bool json_valid(const char *s)
{
	struct jp j = { s, 0 };

	if (!jp_value(&j))
		return false;
	jp_ws(&j);
	return *j.p == '\0';
}

/*
 * Every line of s (JSON Lines) through python3 -m json.tool. Returns 1 when
 * all are valid, 0 when one is not, -1 when python3 is not available.
 */
static inline int json_python_check(const char *s)
{
	char path[] = "/tmp/replctl-unit-XXXXXX", cmd[128];
	const char *line = s, *nl;
	int fd, rc = 1;
	FILE *f;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		return -1;
	while (*line) {
		nl = strchr(line, '\n');
		fd = mkstemp(path);
		assert_true(fd >= 0);
		f = fdopen(fd, "w");
		assert_non_null(f);
		fwrite(line, 1, nl ? (size_t)(nl - line) : strlen(line), f);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "python3 -m json.tool %s >/dev/null 2>&1", path);
		if (system(cmd) != 0)
			rc = 0;
		unlink(path);
		strcpy(path, "/tmp/replctl-unit-XXXXXX");
		if (!nl)
			break;
		line = nl + 1;
	}
	return rc;
}

/* Both checks; python3 is optional. */
#define assert_json(s) do {						\
		assert_true(json_valid(s));				\
		assert_int_not_equal(json_python_check(s), 0);		\
	} while (0)

#endif
