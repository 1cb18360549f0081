/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zonelens: every kernel-version and configuration difference in one place.
 *
 * Checked against the Debian 6.1.192 and 6.12.117 trees.  Each gate names
 * the upstream change that makes it necessary; helpers that are identical
 * in both trees are listed so that nobody adds a gate for them.
 *
 * Same in 6.1 and 6.12, no gate needed:
 *  - zonelist_zone(), zonelist_zone_idx(), zonelist_node_idx(): present since
 *    dd1a239f6f2d ("mm: have zonelist contains structs with both a zone
 *    pointer and zone_idx", 2.6.26).  zonelens derives node and index from
 *    the zone pointer only, so one racy load decides both.
 *  - zone_managed_pages(): 9705bea5f833 ("mm: convert zone->managed_pages to
 *    atomic variable", 5.0).
 *  - MAX_NR_ZONES: generated into <generated/bounds.h> from __MAX_NR_ZONES
 *    in both, reached through <linux/mmzone.h>.
 *  - ktime_get_boottime_ns(): 9285ec4c8b61 ("timekeeping: Use proper clock
 *    specifier names in functions", 5.3).
 *  - cpuhp_setup_state_nocalls() with CPUHP_AP_ONLINE_DYN, and
 *    register_memory_notifier() (exported, stubbed without
 *    CONFIG_MEMORY_HOTPLUG).
 *  - struct memory_notify: start_pfn, nr_pages and status_change_nid in
 *    both.  c5f1e2d18909 ("mm/memory_hotplug: introduce
 *    MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE notifiers", 6.9) added two
 *    actions and turned the MEM_* macros into an enum; the notifier switch
 *    ignores actions it does not log, so no gate is needed for it.
 *
 * Avoided instead of gated:
 *  - no_llseek: removed by cb787f4ac0c2 ("[tree-wide] finally take
 *    no_llseek out", 6.12); zonelens uses default_llseek, present in both.
 *  - kvrealloc(): its signature changed in 590b9d576cae ("mm: kvmalloc:
 *    align kvrealloc() with krealloc()", 6.12); zonelens grows its buffers
 *    with kvmalloc() + memcpy() + kvfree().
 */
#ifndef ZL_COMPAT_H
#define ZL_COMPAT_H

#include <linux/kconfig.h>

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
