/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - aligned text tables for people: a header row, then rows of
 * cells, each column as wide as its widest cell, two blanks between
 * columns, numbers right-aligned. Pure.
 */
#ifndef REPLCTL_TABLE_H
#define REPLCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_CELL 48		/* bytes a cell holds, its NUL included */
#define TABLE_MAX_COLS 16

struct table {
	size_t ncol;
	const char *const *hdr;
	const bool *right;	/* right-aligned columns (numbers) */
	char (*cell)[TABLE_CELL];
	size_t nrows;
};

/*
 * nrows rows of ncol (at most TABLE_MAX_COLS) empty cells under the
 * header hdr. false, after saying so on stderr, when out of memory.
 */
bool table_init(struct table *t, size_t ncol, const char *const *hdr,
		const bool *right, size_t nrows);
/* The cell to write (TABLE_CELL bytes). */
char *table_cell(struct table *t, size_t row, size_t col);
/*
 * Print the header and the rows (empty cells at the end of a row print
 * nothing, not blanks), then free the cells.
 */
void table_print(FILE *f, struct table *t);

#endif
