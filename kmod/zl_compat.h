/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zonelens: every kernel-version and configuration difference in one place.
 *
 * Checked against the headers of Debian's 5.10.0-32, 6.1.0-57, 6.12.117
 * and 7.2.13 kernels, the four that zonelens is built and tested on, and
 * the 7.2 source.  Each gate names the upstream change that makes it
 * necessary; helpers that are identical in all four are listed so that
 * nobody adds a gate for them.
 *
 * Same in all four, no gate needed:
 *  - zonelist_zone(), zonelist_zone_idx(), zonelist_node_idx(): present since
 *    dd1a239f6f2d ("mm: have zonelist contains structs with both a zone
 *    pointer and zone_idx", 2.6.26).  zonelens derives node and index from
 *    the zone pointer only, so one racy load decides both.
 *  - zone_managed_pages(): 9705bea5f833 ("mm: convert zone->managed_pages to
 *    atomic variable", 5.0).
 *  - MAX_NR_ZONES: generated into <generated/bounds.h> from __MAX_NR_ZONES
 *    in all four, reached through <linux/mmzone.h>.
 *  - ktime_get_boottime_ns(): 9285ec4c8b61 ("timekeeping: Use proper clock
 *    specifier names in functions", 5.3).
 *  - cpuhp_setup_state_nocalls() with CPUHP_AP_ONLINE_DYN, and
 *    register_memory_notifier() (exported, stubbed without
 *    CONFIG_MEMORY_HOTPLUG).
 *  - struct memory_notify: start_pfn and nr_pages.  The MEM_* actions
 *    are macros in 5.10 and 6.1 and an enum in 6.12 and 7.2 (seen in the
 *    headers); c5f1e2d18909 ("mm/memory_hotplug: introduce
 *    MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE notifiers", 6.9) added two
 *    actions and 300709fbefd1 ("mm/memory_hotplug: Remove
 *    MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE notifiers", 6.19) removed them
 *    again.  The notifier switch names only the six actions it logs, in
 *    case labels that work for macros and enumerators alike, and ignores
 *    the rest, so none of this needs a gate.
 *
 * Avoided instead of gated:
 *  - no_llseek: removed by cb787f4ac0c2 ("[tree-wide] finally take
 *    no_llseek out", 6.12); zonelens uses default_llseek, present in all four.
 *  - kvrealloc(): its signature changed in 590b9d576cae ("mm: kvmalloc:
 *    align kvrealloc() with krealloc()", 6.12); zonelens grows its buffers
 *    with kvmalloc() + memcpy() + kvfree().
 */
#ifndef ZL_COMPAT_H
#define ZL_COMPAT_H

#include <linux/kconfig.h>
#include <linux/version.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/node.h>

/*
 * The release of the headers being built against, from kbuild's VERSION
 * and PATCHLEVEL (kmod/Kbuild passes them): LINUX_VERSION_CODE without
 * the sublevel, under a name that checkpatch does not reserve for in-tree
 * code.  Gates compare a release against it.
 */
#if !defined(ZL_KERNEL_MAJOR) || !defined(ZL_KERNEL_MINOR)
#error "build zonelens through kmod/Kbuild (make -C KDIR M=DIR), which passes the kernel release"
#endif
#define ZL_LINUX KERNEL_VERSION(ZL_KERNEL_MAJOR, ZL_KERNEL_MINOR, 0)

/*
 * The oldest kernel zonelens is built and tested on is Debian 11's 5.10.
 * Older kernels lack APIs it uses without a gate (zone_managed_pages()
 * since 5.0, ktime_get_boottime_ns() since 5.3) and were never booted
 * with it.
 */
#if KERNEL_VERSION(5, 10, 0) > ZL_LINUX
#error "zonelens needs Linux 5.10 or later: 5.10 is the oldest kernel it is built and tested on"
#endif

/*
 * The node notifier, 6.17.  67929de10847 ("mm,memory_hotplug: implement
 * numa node notifier") added register_node_notifier() (EXPORT_SYMBOL)
 * and struct node_notify { nid }, with the NODE_ADDING_FIRST_MEMORY ...
 * NODE_CANCEL_REMOVING_LAST_MEMORY actions; 8d2882a8edb8
 * ("mm,memory_hotplug: remove status_change_nid_normal and update
 * documentation") and d2a9721d807d ("mm,memory_hotplug: drop
 * status_change_nid parameter from memory_notify") then took the node
 * out of struct memory_notify: from 6.17 on a node's first and last
 * memory are told by the node notifier only.
 *
 * zl_memory_notify_nid(): the node of a memory notification.  Before
 * 6.17 status_change_nid names it when the node gains or loses its first
 * or last memory and is NUMA_NO_NODE otherwise; from 6.17 on it is gone.
 * Either way the block's memmap is initialised for all six actions
 * (move_pfn_range_to_zone() runs before MEM_GOING_ONLINE,
 * remove_pfn_range_from_zone() after MEM_OFFLINE), so its first pfn
 * says the node.
 */
#if KERNEL_VERSION(6, 17, 0) <= ZL_LINUX
#define ZL_HAVE_NODE_NOTIFIER 1
static inline int zl_memory_notify_nid(const struct memory_notify *mn)
{
	return pfn_to_nid(mn->start_pfn);
}
#else
#define ZL_HAVE_NODE_NOTIFIER 0
static inline int zl_memory_notify_nid(const struct memory_notify *mn)
{
	if (mn->status_change_nid >= 0)
		return mn->status_change_nid;
	return pfn_to_nid(mn->start_pfn);
}
#endif

/*
 * Which pgdats may be read, 5.18.  09f49dca570a ("mm: handle uninitialized
 * numa nodes gracefully") gave every possible node a pgdat at boot, and
 * 390511e1476e ("mm, memory_hotplug: drop arch_free_nodedata") stopped
 * memory hot-add from ever freeing one.  Before them (5.10:
 * add_memory_resource() -> __try_online_node() -> hotadd_new_pgdat()) the
 * pgdat of a node that gains memory is published with
 * arch_refresh_nodedata() before it is initialised, and freed again by
 * rollback_node_hotadd() if the hot-add fails before node_set_online(),
 * after which nothing frees it.  There a module reads the pgdat of online
 * nodes only; an offline node then shows no zones and no zonelists, as at
 * boot.
 */
#if KERNEL_VERSION(5, 18, 0) <= ZL_LINUX
#define ZL_OFFLINE_PGDAT_STABLE 1
#else
#define ZL_OFFLINE_PGDAT_STABLE 0
#endif

/*
 * Without CONFIG_NUMA there is one pg_data_t (contig_page_data, not
 * exported) and no node_data[], node_distance() or node_to_cpumask_map.
 */
#ifndef CONFIG_NUMA
#error "zonelens needs CONFIG_NUMA=y: a kernel without NUMA has no per-node zonelists"
#endif

/*
 * Without CONFIG_DEBUG_FS the debugfs calls are stubs that return
 * ERR_PTR(-ENODEV); zonelens refuses to load with a message instead.
 */
#define ZL_HAVE_DEBUGFS IS_ENABLED(CONFIG_DEBUG_FS)

#endif /* ZL_COMPAT_H */
