// SPDX-License-Identifier: GPL-2.0
/*
 * replcopy: module init/exit, module parameters, module-wide settings.
 *
 * The parameters only give the settings their values at load time;
 * afterwards REPLCOPY_CMD_SET_CONFIG (replctl set) changes them and
 * REPLCOPY_CMD_GET_CONFIG (replctl show) reports them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "replcopy.h"

struct replcopy_config replcopy_cfg __read_mostly;
/* Serialises writers of replcopy_cfg. */
DEFINE_MUTEX(replcopy_config_lock);

static char worker[16] = "wq";
module_param_string(worker, worker, sizeof(worker), 0444);
MODULE_PARM_DESC(worker, "Worker model of new sessions: wq (default) or kthread");

static bool wq_unbound;
module_param(wq_unbound, bool, 0444);
MODULE_PARM_DESC(wq_unbound, "Use a WQ_UNBOUND workqueue (default: bound)");

static unsigned int wq_max_active;
module_param(wq_max_active, uint, 0444);
MODULE_PARM_DESC(wq_max_active, "Workqueue max_active, 1..512, 0 = default");

static unsigned int max_sessions = 65536;
module_param(max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions, "Live replayed connections, all netns, 1..4194304 (default 65536)");

static unsigned int max_session_bytes = 4 << 20;
module_param(max_session_bytes, uint, 0444);
MODULE_PARM_DESC(max_session_bytes, "A session's fair share of max_total_kbytes, binding once all sessions hold half of it, 65536..1073741824 (default 4 MiB)");

static unsigned int max_total_kbytes = 262144;
module_param(max_total_kbytes, uint, 0444);
MODULE_PARM_DESC(max_total_kbytes, "Memory budget of all sessions in KiB (truesize), 1024..1073741824 (default 256 MiB)");

static unsigned int idle_timeout = 300;
module_param(idle_timeout, uint, 0444);
MODULE_PARM_DESC(idle_timeout, "Seconds without traffic before a session ends, 1..86400 (default 300)");

static unsigned int syn_retries = 5;
module_param(syn_retries, uint, 0444);
MODULE_PARM_DESC(syn_retries, "SYN retransmissions to the target, 1..10 (default 5)");

static unsigned int max_retries = 12;
module_param(max_retries, uint, 0444);
MODULE_PARM_DESC(max_retries, "Data retransmissions before giving up, 1..20 (default 12)");

static int __init replcopy_check_param(const char *name, unsigned int val,
				       unsigned int min, unsigned int max)
{
	if (val >= min && val <= max)
		return 0;
	pr_err("invalid %s=%u: must be %u..%u\n", name, val, min, max);
	return -EINVAL;
}

static int __init replcopy_config_from_params(void)
{
	struct replcopy_config *c = &replcopy_cfg;
	int err = 0;

	if (sysfs_streq(worker, "wq")) {
		c->worker = REPLCOPY_WORKER_WQ;
	} else if (sysfs_streq(worker, "kthread")) {
		c->worker = REPLCOPY_WORKER_KTHREAD;
	} else {
		pr_err("invalid worker=%s: must be wq or kthread\n", worker);
		err = -EINVAL;
	}

	err = replcopy_check_param("wq_max_active", wq_max_active, 0, 512) ?: err;
	err = replcopy_check_param("max_sessions", max_sessions, 1,
				   REPLCOPY_MAX_SESSIONS_MAX) ?: err;
	err = replcopy_check_param("max_session_bytes", max_session_bytes,
				   REPLCOPY_SESSION_BYTES_MIN,
				   REPLCOPY_SESSION_BYTES_MAX) ?: err;
	err = replcopy_check_param("max_total_kbytes", max_total_kbytes,
				   REPLCOPY_TOTAL_KBYTES_MIN,
				   REPLCOPY_TOTAL_KBYTES_MAX) ?: err;
	err = replcopy_check_param("idle_timeout", idle_timeout, 1, 86400) ?: err;
	err = replcopy_check_param("syn_retries", syn_retries, 1, 10) ?: err;
	err = replcopy_check_param("max_retries", max_retries, 1, 20) ?: err;
	if (!err && max_session_bytes > (u64)max_total_kbytes * 1024) {
		pr_err("max_session_bytes=%u is larger than max_total_kbytes=%u KiB: lower max_session_bytes or raise max_total_kbytes\n",
		       max_session_bytes, max_total_kbytes);
		err = -EINVAL;
	}
	if (err)
		return err;

	c->wq_unbound = wq_unbound;
	c->wq_max_active = wq_max_active;
	c->max_sessions = max_sessions;
	c->max_session_bytes = max_session_bytes;
	c->max_total_kbytes = max_total_kbytes;
	c->idle_timeout = idle_timeout;
	c->syn_retries = syn_retries;
	c->max_retries = max_retries;
	return 0;
}

static int __init replcopy_init(void)
{
	int err;

	err = replcopy_config_from_params();
	if (err)
		return err;

	err = replcopy_sessions_init();
	if (err)
		return err;

	err = replcopy_pernet_init();
	if (err)
		goto err_sessions;

	err = replcopy_genl_init();
	if (err)
		goto err_pernet;

	pr_info("version %s loaded\n", REPLCOPY_VERSION);
	return 0;

err_pernet:
	replcopy_pernet_exit();
err_sessions:
	replcopy_sessions_exit();
	return err;
}

static void __exit replcopy_exit(void)
{
	replcopy_genl_exit();
	replcopy_pernet_exit();
	replcopy_sessions_exit();
}

module_init(replcopy_init);
module_exit(replcopy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Replay live TCP traffic to a test server, in the kernel");
MODULE_VERSION(REPLCOPY_VERSION);
MODULE_ALIAS_GENL_FAMILY(REPLCOPY_GENL_NAME);
