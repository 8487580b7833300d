// SPDX-License-Identifier: GPL-2.0
/*
 * kmod.c - libkmod: load replcopy, report its state (see kmod.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "kmod.h"

/* libkmod logs to stderr by default; keep its last error for our message. */
struct klog {
	char last[256];
};

static void log_fn(void *data, int priority, const char *file, int line,
		   const char *fn, const char *format, va_list args)
{
	struct klog *k = data;
	size_t len;

	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(k->last, sizeof(k->last), format, args);
	len = strlen(k->last);
	while (len && k->last[len - 1] == '\n')
		k->last[--len] = '\0';
}

static void release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, len, "%s", u.release);
	else
		snprintf(buf, len, "?");
}

static struct kmod_ctx *ctx_new(struct klog *k)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx) {
		kmod_set_log_fn(ctx, log_fn, k);
		kmod_set_log_priority(ctx, 3 /* LOG_ERR */);
	}
	return ctx;
}

int rc_kmod_load(char *why, size_t len)
{
	struct klog k = { "" };
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	char rel[65];
	int err;

	release(rel, sizeof(rel));
	ctx = ctx_new(&k);
	if (!ctx) {
		snprintf(why, len, "libkmod could not be initialised");
		return -ENOMEM;
	}
	err = kmod_module_new_from_name(ctx, RC_MODULE_NAME, &mod);
	if (err < 0) {
		snprintf(why, len, "libkmod: %s", strerror(-err));
		goto out;
	}
	if (kmod_module_get_initstate(mod) >= 0) {
		err = 0;	/* already there (or built in) */
		goto out;
	}
	if (!kmod_module_get_path(mod)) {
		snprintf(why, len, "module %s not found in /lib/modules/%s",
			 RC_MODULE_NAME, rel);
		err = -ENOENT;
		goto out;
	}
	err = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	if (err == -EEXIST) {
		err = 0;
	} else if (err > 0) {
		snprintf(why, len, "module %s is blacklisted", RC_MODULE_NAME);
		err = -EPERM;
	} else if (err == -EPERM || err == -EACCES) {
		snprintf(why, len, "loading %s: permission denied (need "
			 "CAP_SYS_MODULE)", kmod_module_get_path(mod));
	} else if (err == -ENOENT) {
		snprintf(why, len, "module %s not found in /lib/modules/%s",
			 RC_MODULE_NAME, rel);
	} else if (err < 0) {
		snprintf(why, len, "loading %s: %s%s%s (see dmesg)",
			 kmod_module_get_path(mod), strerror(-err),
			 k.last[0] ? ": " : "", k.last);
	}
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return err;
}

static const char *state_name(int s)
{
	switch (s) {
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "coming";
	case KMOD_MODULE_GOING:
		return "going";
	}
	return "unknown";
}

static void holders(struct kmod_module *mod, char *buf, size_t len)
{
	struct kmod_list *list, *l;
	size_t off = 0;

	buf[0] = '\0';
	list = kmod_module_get_holders(mod);
	kmod_list_foreach(l, list) {
		struct kmod_module *h = kmod_module_get_module(l);

		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", kmod_module_get_name(h));
		kmod_module_unref(h);
	}
	kmod_module_unref_list(list);
}

static void file_version(struct kmod_module *mod, char *buf, size_t len)
{
	struct kmod_list *list = NULL, *l;

	buf[0] = '\0';
	if (kmod_module_get_info(mod, &list) < 0)
		return;
	kmod_list_foreach(l, list) {
		if (!strcmp(kmod_module_info_get_key(l), "version")) {
			snprintf(buf, len, "%s", kmod_module_info_get_value(l));
			break;
		}
	}
	kmod_module_info_free_list(list);
}

void rc_kmod_info(struct rc_kmod_info *info)
{
	struct klog k = { "" };
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *path;
	int st, err;

	memset(info, 0, sizeof(*info));
	info->refcnt = -1;
	info->size = -1;
	release(info->release, sizeof(info->release));

	ctx = ctx_new(&k);
	if (!ctx) {
		snprintf(info->error, sizeof(info->error),
			 "libkmod could not be initialised");
		return;
	}
	err = kmod_module_new_from_name(ctx, RC_MODULE_NAME, &mod);
	if (err < 0) {
		snprintf(info->error, sizeof(info->error), "libkmod: %s",
			 strerror(-err));
		goto out;
	}
	st = kmod_module_get_initstate(mod);
	if (st >= 0) {
		snprintf(info->state, sizeof(info->state), "%s",
			 state_name(st));
		if (st != KMOD_MODULE_BUILTIN) {
			info->refcnt = kmod_module_get_refcnt(mod);
			info->size = kmod_module_get_size(mod);
			if (info->refcnt < 0)
				info->refcnt = -1;
			if (info->size < 0)
				info->size = -1;
			holders(mod, info->holders, sizeof(info->holders));
		}
	}
	path = kmod_module_get_path(mod);
	if (path) {
		snprintf(info->path, sizeof(info->path), "%s", path);
		file_version(mod, info->file_version,
			     sizeof(info->file_version));
	}
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
}
