/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomicfile.h - replace a file's content atomically, for readers that may
 * look at any moment (node_exporter's textfile collector reading what
 * `replctl stats --prometheus --write FILE` writes).
 */
#ifndef REPLCTL_ATOMICFILE_H
#define REPLCTL_ATOMICFILE_H

#include <stddef.h>

/*
 * Write buf[0..len) to path: into a new temporary file in path's directory
 * (".NAME.XXXXXX" for path .../NAME: hidden, and without NAME's extension,
 * so the textfile collector, which reads *.prom, never sees it), written
 * whole, given mode 0666 less the umask, fsync'ed, then renamed over path
 * (a symbolic link at path is replaced, not followed); the directory is
 * fsync'ed last, at best effort. A reader sees the old content or the new,
 * never a part.
 *
 * 0, or -errno with *step set to what failed ("cannot create a temporary
 * file in its directory", ...); the temporary file is removed then and
 * path is left as it was.
 */
int atomic_write_file(const char *path, const void *buf, size_t len,
		      const char **step);

#endif
