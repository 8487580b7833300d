// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - aligned text tables (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

bool table_init(struct table *t, size_t ncol, const char *const *hdr,
		const bool *right, size_t nrows)
{
	t->ncol = ncol < TABLE_MAX_COLS ? ncol : TABLE_MAX_COLS;
	t->hdr = hdr;
	t->right = right;
	t->nrows = nrows;
	t->cell = calloc(nrows ? nrows * t->ncol : 1, TABLE_CELL);
	if (!t->cell)
		fputs("replctl: out of memory\n", stderr);
	return t->cell != NULL;
}

char *table_cell(struct table *t, size_t row, size_t col)
{
	return t->cell[row * t->ncol + col];
}

static void table_row(FILE *f, const struct table *t, const size_t *w,
		      const char *const *cells)
{
	size_t c, end = t->ncol;

	while (end > 1 && !cells[end - 1][0])
		end--;
	for (c = 0; c < end; c++) {
		bool last = c + 1 == end;

		if (c)
			fputs("  ", f);
		if (t->right[c])
			fprintf(f, "%*s", (int)w[c], cells[c]);
		else if (last)
			fputs(cells[c], f);
		else
			fprintf(f, "%-*s", (int)w[c], cells[c]);
	}
	fputc('\n', f);
}

void table_print(FILE *f, struct table *t)
{
	const char *cells[TABLE_MAX_COLS];
	size_t w[TABLE_MAX_COLS], r, c;

	for (c = 0; c < t->ncol; c++)
		w[c] = strlen(t->hdr[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncol; c++)
			if (strlen(table_cell(t, r, c)) > w[c])
				w[c] = strlen(table_cell(t, r, c));
	table_row(f, t, w, t->hdr);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncol; c++)
			cells[c] = table_cell(t, r, c);
		table_row(f, t, w, cells);
	}
	free(t->cell);
	t->cell = NULL;
}
