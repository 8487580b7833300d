// SPDX-License-Identifier: GPL-2.0
/*
 * atomicfile.c - write a file atomically (see atomicfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The mode open(2) would give a new file: 0666 less the umask. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(022);

	umask(mask);
	return 0666 & ~mask;
}

/* Make the rename durable; a file system that cannot is no error. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

int atomic_write_file(const char *path, const void *buf, size_t len,
		      const char **step)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	size_t tmplen = dirlen + strlen(base) + 16;
	char *tmp, *dir;
	int fd, err;

	*step = "no file name";
	if (!*base)
		return -EISDIR;
	*step = "out of memory";
	tmp = malloc(tmplen);	/* "DIR/" ".NAME" ".XXXXXX" */
	dir = malloc(dirlen + 2);
	if (!tmp || !dir) {
		free(tmp);
		free(dir);
		return -ENOMEM;
	}
	if (!slash) {
		strcpy(dir, ".");
	} else if (!dirlen) {
		strcpy(dir, "/");
	} else {
		memcpy(dir, path, dirlen);
		dir[dirlen] = '\0';
	}
	snprintf(tmp, tmplen, "%.*s%s.%s.XXXXXX", (int)dirlen, path,
		 slash ? "/" : "", base);

	*step = "cannot create a temporary file in its directory";
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	*step = "cannot write the temporary file";
	err = write_all(fd, buf, len);
	if (!err && fchmod(fd, new_file_mode()))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err) {
		*step = "cannot rename the temporary file over it";
		if (rename(tmp, path))
			err = -errno;
	}
	if (err)
		unlink(tmp);
	else
		sync_dir(dir);
out:
	free(tmp);
	free(dir);
	return err;
}
