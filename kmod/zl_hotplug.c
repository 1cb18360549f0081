// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: the hotplug callbacks that feed the event log: the memory
 * notifier, the node notifier where the kernel has one (zl_compat.h), and
 * a dynamic CPU hotplug state.
 *
 * The memory and node notifiers run under mem_hotplug_begin(), in
 * process context, on a blocking chain; the CPU callbacks run in the
 * per-CPU hotplug thread.  All of them may sleep.
 */
#include <linux/kernel.h>
#include <linux/cpuhotplug.h>
#include <linux/memory.h>
#include <linux/notifier.h>
#include "zl.h"

static int zl_cpuhp_state;

static int zl_mem_callback(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct memory_notify *mn = data;
	int type;

	switch (action) {
	case MEM_GOING_ONLINE:
		type = ZL_EV_MEM_GOING_ONLINE;
		break;
	case MEM_ONLINE:
		type = ZL_EV_MEM_ONLINE;
		break;
	case MEM_CANCEL_ONLINE:
		type = ZL_EV_MEM_CANCEL_ONLINE;
		break;
	case MEM_GOING_OFFLINE:
		type = ZL_EV_MEM_GOING_OFFLINE;
		break;
	case MEM_OFFLINE:
		type = ZL_EV_MEM_OFFLINE;
		break;
	case MEM_CANCEL_OFFLINE:
		type = ZL_EV_MEM_CANCEL_OFFLINE;
		break;
	default:
		return NOTIFY_DONE;
	}
	zl_log_mem_event(type, zl_memory_notify_nid(mn), mn->start_pfn,
			 mn->nr_pages);
	return NOTIFY_OK;
}

static struct notifier_block zl_mem_nb = {
	.notifier_call = zl_mem_callback,
};

#if ZL_HAVE_NODE_NOTIFIER
static int zl_node_callback(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct node_notify *nn = data;
	int type;

	switch (action) {
	case NODE_ADDING_FIRST_MEMORY:
		type = ZL_EV_NODE_ADDING_FIRST_MEMORY;
		break;
	case NODE_ADDED_FIRST_MEMORY:
		type = ZL_EV_NODE_ADDED_FIRST_MEMORY;
		break;
	case NODE_CANCEL_ADDING_FIRST_MEMORY:
		type = ZL_EV_NODE_CANCEL_ADDING_FIRST_MEMORY;
		break;
	case NODE_REMOVING_LAST_MEMORY:
		type = ZL_EV_NODE_REMOVING_LAST_MEMORY;
		break;
	case NODE_REMOVED_LAST_MEMORY:
		type = ZL_EV_NODE_REMOVED_LAST_MEMORY;
		break;
	case NODE_CANCEL_REMOVING_LAST_MEMORY:
		type = ZL_EV_NODE_CANCEL_REMOVING_LAST_MEMORY;
		break;
	default:
		return NOTIFY_DONE;
	}
	zl_log_mem_event(type, nn->nid, 0, 0);
	return NOTIFY_OK;
}

static struct notifier_block zl_node_nb = {
	.notifier_call = zl_node_callback,
};

static int zl_node_notifier_register(void)
{
	return register_node_notifier(&zl_node_nb);
}

static void zl_node_notifier_unregister(void)
{
	unregister_node_notifier(&zl_node_nb);
}
#else
static int zl_node_notifier_register(void)
{
	return 0;
}

static void zl_node_notifier_unregister(void)
{
}
#endif

/* runs once the CPU is online and in its node mask */
static int zl_cpu_online(unsigned int cpu)
{
	zl_log_cpu_event(ZL_EV_CPU_ONLINE, cpu);
	return 0;
}

/* runs while the CPU is still in its node mask */
static int zl_cpu_offline(unsigned int cpu)
{
	zl_log_cpu_event(ZL_EV_CPU_OFFLINE, cpu);
	return 0;
}

int zl_hotplug_register(void)
{
	int ret;

	ret = register_memory_notifier(&zl_mem_nb);
	if (ret)
		return ret;
	ret = zl_node_notifier_register();
	if (ret)
		goto err_mem;
	/* _nocalls: loading must not log an online event for every CPU */
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "zonelens:online",
					zl_cpu_online, zl_cpu_offline);
	if (ret < 0)
		goto err_node;
	zl_cpuhp_state = ret;
	return 0;

err_node:
	zl_node_notifier_unregister();
err_mem:
	unregister_memory_notifier(&zl_mem_nb);
	return ret;
}

void zl_hotplug_unregister(void)
{
	cpuhp_remove_state_nocalls(zl_cpuhp_state);
	zl_node_notifier_unregister();
	unregister_memory_notifier(&zl_mem_nb);
}
