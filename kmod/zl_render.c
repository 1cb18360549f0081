// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: rendering of the sections of format 5 (docs/debugfs-format.md).
 *
 * Everything here runs at open() in process context and only reads kernel
 * state; consistency comes from zl_snapshot.c comparing whole passes.
 */
#include <linux/kernel.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/topology.h>
#include <linux/utsname.h>
#include "zl.h"

static void zl_render_header(struct zl_buf *b)
{
	pg_data_t *pgdat = NULL;
	int nid, i;

	zl_printf(b, "module_version %s\n", ZL_MODULE_VERSION);
	zl_printf(b, "kernel_release %s\n", init_utsname()->release);
	zl_printf(b, "arch %s\n", init_utsname()->machine);
	zl_rec(b, nr_node_ids);
	zl_rec(b, nr_cpu_ids);
	zl_printf(b, "nr_node_ids %u\n", nr_node_ids);
	zl_printf(b, "max_numnodes %u\n", MAX_NUMNODES);
	zl_printf(b, "max_nr_zones %u\n", MAX_NR_ZONES);
	zl_printf(b, "nr_cpu_ids %u\n", nr_cpu_ids);

	for (nid = 0; nid < nr_node_ids && !pgdat; nid++)
		pgdat = zl_pgdat(nid);
	zl_printf(b, "zone_names");
	for (i = 0; i < MAX_NR_ZONES; i++)
		zl_printf(b, " %s",
			  pgdat ? zl_zone_name(&pgdat->node_zones[i]) : "-");
	zl_printf(b, "\n");
}

static void zl_render_nodes(struct zl_buf *b, struct cpumask *scratch)
{
	static const struct {
		const char *name;
		enum node_states state;
	} states[] = {
		{ "possible", N_POSSIBLE },
		{ "online", N_ONLINE },
		{ "memory", N_MEMORY },
		{ "normal_memory", N_NORMAL_MEMORY },
		{ "cpu", N_CPU },
	};
	nodemask_t mask;
	int i, nid;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		mask = node_states[states[i].state];
		zl_printf(b, "node_states %s ", states[i].name);
		zl_put_nodemask(b, &mask);
		zl_printf(b, "\n");
	}
	for_each_node(nid) {
		cpumask_copy(scratch, cpumask_of_node(nid));
		zl_rec(b, nid);
		zl_printf(b, "cpumask %d ", nid);
		zl_put_cpumask(b, scratch);
		zl_printf(b, "\n");
	}
}

/*
 * Format 3: one row per possible node, "distance FROM V..." with a value
 * for every possible node in ascending id (format 1 and 2 wrote a
 * "distance FROM TO VALUE" triple per pair: 21 MB instead of 3 MB at 1024
 * nodes).
 */
static void zl_render_distance(struct zl_buf *b)
{
	int from, to, d;

	for_each_node(from) {
		zl_rec(b, from);
		zl_puts(b, "distance ");
		zl_put_uint(b, from);
		for_each_node(to) {
			d = node_distance(from, to);
			zl_rec(b, d);
			zl_putc(b, ' ');
			zl_put_uint(b, d);
		}
		zl_putc(b, '\n');
		cond_resched();
	}
}

static void zl_render_zones(struct zl_buf *b)
{
	unsigned long present, managed, spanned;
	pg_data_t *pgdat;
	struct zone *zone;
	int nid, i;

	for (nid = 0; nid < nr_node_ids; nid++) {
		pgdat = zl_pgdat(nid);
		if (!pgdat)
			continue;
		zl_rec(b, nid);
		for (i = 0; i < MAX_NR_ZONES; i++) {
			zone = &pgdat->node_zones[i];
			present = READ_ONCE(zone->present_pages);
			managed = zone_managed_pages(zone);
			spanned = READ_ONCE(zone->spanned_pages);
			zl_rec64(b, present);
			zl_rec64(b, managed);
			zl_rec64(b, spanned);
			zl_printf(b, "zone %d %d %s present %lu managed %lu spanned %lu\n",
				  nid, i, zl_zone_name(zone), present, managed,
				  spanned);
		}
	}
}

/* Zonelist lines, then the fingerprint of exactly those lines. */
static void zl_render_zonelists(struct zl_buf *b)
{
	u64 h = zl_walk_zonelists(b);
	u64 gen = zl_observe(h);

	zl_rec64(b, gen);
	zl_printf(b, "fingerprint %016llx\n", h);
	zl_printf(b, "generation %llu\n", gen);
}

void zl_render_pass(struct zl_buf *b, enum zl_file kind, size_t *ins)
{
	cpumask_var_t scratch;

	zl_printf(b, "zonelens-format %d\n", ZL_FORMAT_VERSION);
	if (kind == ZL_F_SNAPSHOT || kind == ZL_F_HEADER)
		zl_render_header(b);
	*ins = b->len;

	switch (kind) {
	case ZL_F_SNAPSHOT:
	case ZL_F_NODES:
		if (!zalloc_cpumask_var(&scratch, GFP_KERNEL)) {
			b->err = -ENOMEM;
			return;
		}
		zl_render_nodes(b, scratch);
		free_cpumask_var(scratch);
		if (kind == ZL_F_NODES)
			break;
		zl_render_distance(b);
		zl_render_zones(b);
		zl_render_zonelists(b);
		zl_render_event_pos(b);
		break;
	case ZL_F_DISTANCE:
		zl_render_distance(b);
		break;
	case ZL_F_ZONES:
		zl_render_zones(b);
		break;
	case ZL_F_ZONELISTS:
		zl_render_zonelists(b);
		break;
	default:
		break;
	}
	zl_printf(b, "end\n");
}
