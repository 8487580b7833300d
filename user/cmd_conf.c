// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_conf.c - replctl save and apply: the config file (conf.c) against
 * the kernel's state, changed step by step (confdiff.c) and undone when
 * the kernel refuses a step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "confdiff.h"
#include "msg.h"
#include "output.h"
#include "parse.h"
#include "reply.h"

void usage_save(FILE *f)
{
	fputs(
"Usage: replctl save\n"
"\n"
"Print the module-wide settings and the mappings of this network namespace\n"
"as a config file that replctl apply reads back: a header comment, one set\n"
"line with every setting, then one add line per mapping, in ID order, with\n"
"the options that differ from the defaults.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl save > /etc/replcopy/replcopy.conf\n"
"  ssh online-host replctl save | replctl apply -\n",
	      f);
}

void usage_apply(FILE *f)
{
	fputs(
"Usage: replctl apply FILE\n"
"       replctl apply -\n"
"\n"
"Make the mappings of this network namespace and the module's settings\n"
"equal to FILE (- reads standard input): a config file as replctl save\n"
"writes it, one set or add line per command as typed after \"replctl\",\n"
"# comments and blank lines allowed.\n"
"\n"
"Every line is checked first: a bad line changes nothing (status 2). Then\n"
"the settings FILE gives are set (the others stay as they are), the\n"
"mappings FILE does not add are deleted and the missing ones added.\n"
"Identical mappings are left alone; one whose target or options differ is\n"
"deleted and added again. All or nothing: when the kernel refuses a\n"
"change, the changes made before it are undone (status 1). Prints each\n"
"change as a replctl command; nothing when there is none to make.\n"
"\n"
"Changing mappings needs CAP_NET_ADMIN over the network namespace,\n"
"changing settings needs it in the initial user namespace.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Examples:\n"
"  replctl apply /etc/replcopy/replcopy.conf\n"
"  ssh online-host replctl save | replctl apply -\n",
	      f);
}

int cmd_save(int argc, char **argv)
{
	struct rc_mapping *v = NULL;
	struct rc_config cfg;
	struct perr e;
	struct nl nl;
	size_t n = 0;
	int rc, err;

	rc = cli_parsed("save", parse_save_args(argc, argv, &e), &e,
			usage_save);
	if (rc >= 0)
		return rc;
	rc = cli_connect(&nl, "save");
	if (rc)
		return rc;

	err = config_get(&nl, &cfg);
	if (!err)
		err = mappings_get(&nl, &v, &n);
	if (err) {
		rc = cli_kernel_error(&nl, "save", err);
	} else if (conf_write(stdout, &cfg, v, n, REPLCTL_VERSION, &e)) {
		fprintf(stderr, "replctl: save: %s\n", e.msg);
		rc = EXIT_KERNEL;
	}
	free(v);
	nl_close(&nl);
	return rc;
}

/* ---- apply ------------------------------------------------------------ */

struct apply {
	struct nl nl;
	const char *name;		/* the file, as messages name it */
	const struct conf *conf;
};

/* Read and check the whole file: 0, or EXIT_USAGE after saying why. */
static int read_file(const char *file, const char *name, struct conf *c)
{
	unsigned int line;
	struct perr e;
	FILE *f;
	int rc = 0;

	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "replctl: apply: %s: cannot open: %s\n", name,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (conf_read(f, c, &line, &e)) {
		if (line)
			fprintf(stderr, "replctl: apply: %s:%u: %s\n", name,
				line, e.msg);
		else
			fprintf(stderr, "replctl: apply: %s: %s\n", name,
				e.msg);
		rc = EXIT_USAGE;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The kernel's reply to an add: the ID it gave the mapping. */
static int added_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rc_mapping *m = data;
	struct rc_reply r;

	if (!rc_parse_reply(nlh, &r) && RC_HAS(&r.map, REPLCOPY_A_MAP_ID)) {
		m->id = r.map.id;
		m->present |= 1u << REPLCOPY_A_MAP_ID;
	}
	return MNL_CB_OK;
}

/* One request; an add stores its new ID in s->map. 0 or -errno. */
static int step_run(struct nl *nl, struct conf_step *s)
{
	struct nlmsghdr *req;
	struct add_args a;
	struct del_args d;

	switch (s->kind) {
	case CONF_SET:
		req = msg_set_config(nl->req, nl->family, 0, &s->set);
		return nl_talk(nl, req, NULL, NULL);
	case CONF_DEL:
		memset(&d, 0, sizeof(d));
		if (RC_HAS(&s->map, REPLCOPY_A_MAP_ID)) {
			d.by = DEL_BY_ID;
			d.id = s->map.id;
		} else {
			a = conf_add_of(&s->map);
			d.by = DEL_BY_PORT;
			d.port = a.port;
			d.online_addr = a.online_addr;
		}
		req = msg_del_mapping(nl->req, nl->family, 0, &d);
		return nl_talk(nl, req, NULL, NULL);
	case CONF_ADD:
		a = conf_add_of(&s->map);
		req = msg_add_mapping(nl->req, nl->family, 0, &a);
		return nl_talk(nl, req, added_cb, &s->map);
	}
	return -EINVAL;
}

/* "ONLINE -> TARGET[,TARGET...]" of a mapping, for messages. */
static void map_text(const struct rc_mapping *m, char *buf, size_t len)
{
	char on[ENDPOINT_LEN], tg[TARGETS_LEN];

	fmt_online(m, on, sizeof(on));
	fmt_map_targets(m, ",", tg, sizeof(tg));
	snprintf(buf, len, "%s -> %s", on, tg);
}

/*
 * The line a refused set request is about: the line that set the setting
 * the kernel named, else the step's.
 */
static unsigned int set_fault_line(const struct apply *ap,
				   const struct conf_step *s)
{
	const struct nl_extack *x = &ap->nl.ext;
	int type, nest;

	if (x->has_offs && ap->nl.last_req &&
	    !msg_attr_at(ap->nl.last_req, x->offs, &type, &nest) &&
	    nest == REPLCOPY_A_CONFIG && type > 0 &&
	    type < __REPLCOPY_CFG_MAX && ap->conf->set_line[type])
		return ap->conf->set_line[type];
	return s->line;
}

/* "replctl: apply: FILE:LINE: <the kernel's refusal>" for a step. */
static void step_error(const struct apply *ap, const struct conf_step *s,
		       int err)
{
	char where[1024], m[ENDPOINT_LEN + 4 + TARGETS_LEN];
	unsigned int line = s->line;

	if (s->kind == CONF_SET)
		line = set_fault_line(ap, s);
	if (s->kind == CONF_SET && err == -EPERM) {
		fprintf(stderr, "replctl: apply: %s:%u: permission denied "
			"(need CAP_NET_ADMIN in the initial user namespace: "
			"set changes module-wide settings)\n", ap->name, line);
		return;
	}
	map_text(&s->map, m, sizeof(m));
	if (s->kind != CONF_DEL)
		snprintf(where, sizeof(where), "apply: %s:%u", ap->name, line);
	else if (line)
		snprintf(where, sizeof(where), "apply: %s:%u: deleting mapping "
			 "ID %" PRIu32 " (%s) to replace it", ap->name, line,
			 s->map.id, m);
	else
		snprintf(where, sizeof(where), "apply: deleting mapping ID "
			 "%" PRIu32 " (%s), which %s does not add", s->map.id, m,
			 ap->name);
	extack_print(stderr, where, err, &ap->nl.ext, ap->nl.last_req);
}

/* A warning that came with a step the kernel made. */
static void step_warning(const struct apply *ap, const struct conf_step *s)
{
	if (!ap->nl.ext.has_msg)
		return;
	if (s->line)
		fprintf(stderr, "replctl: apply: %s:%u: warning: %s\n",
			ap->name, s->line, ap->nl.ext.msg);
	else
		fprintf(stderr, "replctl: apply: warning: %s\n",
			ap->nl.ext.msg);
}

/* The command that would make undo step u by hand, for messages. */
static void undo_text(const struct conf_step *u, char *buf, size_t len)
{
	char cmd[1024], del[64];

	switch (u->kind) {
	case CONF_SET:
		conf_fmt_set(&u->set, buf, len);
		return;
	case CONF_ADD:
		conf_fmt_add(&u->map, cmd, sizeof(cmd));
		snprintf(buf, len, "%s (mapping ID %" PRIu32 " before apply)",
			 cmd, u->was_id);
		return;
	case CONF_DEL:
		conf_fmt_del(&u->map, del, sizeof(del));
		conf_fmt_add(&u->map, cmd, sizeof(cmd));
		snprintf(buf, len, "%s (the mapping apply added: %s)", del,
			 cmd);
		return;
	}
	buf[0] = '\0';
}

/*
 * Undo the first done steps of p, after a refusal; say what became of
 * them. EXIT_KERNEL.
 */
static int roll_back(struct apply *ap, struct conf_plan *p, size_t done)
{
	char what[1200], where[1300];
	struct conf_plan u;
	size_t i, failed = 0, readded = 0;
	int err;

	if (!done) {
		fprintf(stderr, "replctl: apply: nothing was changed\n");
		return EXIT_KERNEL;
	}
	if (conf_plan_undo(p, done, &u)) {
		fprintf(stderr, "replctl: apply: out of memory: the state was "
			"NOT restored; apply made these changes:\n");
		for (i = 0; i < done; i++) {
			conf_step_fmt(&p->v[i], what, sizeof(what));
			fprintf(stderr, "  %s\n", what);
		}
		return EXIT_KERNEL;
	}
	for (i = 0; i < u.n; i++) {
		err = step_run(&ap->nl, &u.v[i]);
		if (!err) {
			readded += u.v[i].kind == CONF_ADD;
			continue;
		}
		failed++;
		undo_text(&u.v[i], what, sizeof(what));
		snprintf(where, sizeof(where), "apply: could not restore: %s",
			 what);
		extack_print(stderr, where, err, &ap->nl.ext, ap->nl.last_req);
	}
	if (failed) {
		fprintf(stderr, "replctl: apply: the state was NOT fully "
			"restored: %zu of the %zu changes made could not be "
			"undone (above)\n", failed, u.n);
	} else {
		fprintf(stderr, "replctl: apply: the state before apply was "
			"restored");
		if (readded)
			fprintf(stderr, "; the mappings deleted and added "
				"again have new IDs:");
		for (i = 0; i < u.n; i++) {
			if (u.v[i].kind != CONF_ADD)
				continue;
			fprintf(stderr, " %" PRIu32 " is now %" PRIu32 "%s",
				u.v[i].was_id, u.v[i].map.id,
				--readded ? "," : "");
		}
		fputc('\n', stderr);
	}
	conf_plan_free(&u);
	return EXIT_KERNEL;
}

/* Read the state, make the steps, run them. */
static int apply_conf(struct apply *ap)
{
	struct rc_mapping *v = NULL;
	struct conf_plan p = { 0 };
	struct rc_config cfg;
	char line[1200];
	struct perr e;
	size_t n = 0, i;
	int err, rc = EXIT_OK;

	err = config_get(&ap->nl, &cfg);
	if (!err)
		err = mappings_get(&ap->nl, &v, &n);
	if (err) {
		rc = cli_kernel_error(&ap->nl, "apply", err);
		goto out;
	}
	if (conf_plan_make(&cfg, v, n, ap->conf, &p, &e)) {
		fprintf(stderr, "replctl: apply: %s: nothing was changed\n",
			e.msg);
		rc = EXIT_KERNEL;
		goto out;
	}
	for (i = 0; i < p.n; i++) {
		err = step_run(&ap->nl, &p.v[i]);
		if (err) {
			step_error(ap, &p.v[i], err);
			rc = roll_back(ap, &p, i);
			goto out;
		}
		step_warning(ap, &p.v[i]);
	}
	for (i = 0; i < p.n; i++) {
		conf_step_fmt(&p.v[i], line, sizeof(line));
		printf("%s\n", line);
	}
out:
	conf_plan_free(&p);
	free(v);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct apply_args a;
	struct apply ap;
	struct conf c;
	struct perr e;
	int rc;

	rc = cli_parsed("apply", parse_apply_args(argc, argv, &a, &e), &e,
			usage_apply);
	if (rc >= 0)
		return rc;
	conf_init(&c);
	ap.name = strcmp(a.file, "-") ? a.file : "<stdin>";
	ap.conf = &c;
	rc = read_file(a.file, ap.name, &c);
	if (!rc)
		rc = cli_connect(&ap.nl, "apply");
	if (!rc) {
		rc = apply_conf(&ap);
		nl_close(&ap.nl);
	}
	conf_free(&c);
	return rc;
}
