// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: zonelist walk and fingerprint.
 *
 * Process context only (the walks call cond_resched() once per node).
 *
 * There is no lock a module can take against a zonelist rebuild, so every
 * load here is a racy single load (READ_ONCE) of a pointer that the kernel
 * never frees: pg_data_t and struct zone live as long as the system (before
 * 5.18 only those of online nodes, see zl_pgdat()).
 * Node id and zone index are both derived from the zone pointer, so one
 * load decides both and a zoneref is never half old, half new.
 */
#include <linux/kernel.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include "zl.h"

#define ZL_FNV_OFFSET	0xcbf29ce484222325ULL
#define ZL_FNV_PRIME	0x100000001b3ULL

/* The pgdat of @nid, or NULL when it has none that is safe to read (zl_compat.h). */
pg_data_t *zl_pgdat(int nid)
{
	if (!ZL_OFFLINE_PGDAT_STABLE && !node_online(nid))
		return NULL;
	return READ_ONCE(NODE_DATA(nid));
}

const char *zl_zone_name(const struct zone *zone)
{
	const char *name = READ_ONCE(zone->name);

	/* every zone of a pgdat is named at init; keep the line parseable */
	return name ? name : "-";
}

/* The @i-th zone of list @list of @pgdat, NULL at the end of the list. */
static struct zone *zl_zoneref(pg_data_t *pgdat, int list, int i)
{
	if (i >= MAX_ZONES_PER_ZONELIST)
		return NULL;
	return READ_ONCE(pgdat->node_zonelists[list]._zonerefs[i].zone);
}

/* FNV-1a over the four bytes of @w, least significant first. */
static u64 zl_fp_word(u64 h, u32 w)
{
	int i;

	for (i = 0; i < 4; i++) {
		h ^= (w >> (8 * i)) & 0xff;
		h *= ZL_FNV_PRIME;
	}
	return h;
}

static u32 zl_fp_zone_word(struct zone *zone)
{
	return ((u32)zone_to_nid(zone) << 8) | (u32)zone_idx(zone);
}

/*
 * One walk of every zonelist of every node that has a pgdat, in node-id
 * order.  Returns the fingerprint of the walk; with @b, also renders the
 * "zonelist" lines of exactly that walk into it.
 */
u64 zl_walk_zonelists(struct zl_buf *b)
{
	static const char * const names[MAX_ZONELISTS] = {
		[ZONELIST_FALLBACK] = "fallback",
		[ZONELIST_NOFALLBACK] = "nofallback",
	};
	u64 h = ZL_FNV_OFFSET;
	pg_data_t *pgdat;
	struct zone *zone;
	int nid, list, i;
	u32 w;

	for (nid = 0; nid < nr_node_ids; nid++) {
		pgdat = zl_pgdat(nid);
		if (!pgdat)
			continue;
		for (list = 0; list < MAX_ZONELISTS; list++) {
			h = zl_fp_word(h, nid);
			h = zl_fp_word(h, list);
			if (b) {
				zl_rec(b, nid);
				zl_rec(b, list);
				zl_printf(b, "zonelist %d %s", nid, names[list]);
			}
			for (i = 0; (zone = zl_zoneref(pgdat, list, i)); i++) {
				w = zl_fp_zone_word(zone);
				h = zl_fp_word(h, w);
				if (b) {
					zl_rec(b, w);
					zl_putc(b, ' ');
					/* the text derives from the recorded word */
					zl_put_uint(b, w >> 8);
					zl_putc(b, ':');
					zl_puts(b, zl_zone_name(zone));
				}
			}
			h = zl_fp_word(h, 0xffffffff);
			if (b) {
				zl_rec(b, 0xffffffff);
				zl_printf(b, "%s\n", i ? "" : " -");
			}
		}
		cond_resched();
	}
	return h;
}

u64 zl_fingerprint(void)
{
	return zl_walk_zonelists(NULL);
}

/*
 * Walk until two consecutive walks agree (at most ZL_MAX_PASSES walks).
 * Returns false, with the last walk in *@fp, if they never did.
 * Process context only.
 */
bool zl_fingerprint_stable(u64 *fp)
{
	u64 prev = zl_fingerprint(), cur;
	int i;

	for (i = 1; i < ZL_MAX_PASSES; i++) {
		cur = zl_fingerprint();
		if (cur == prev) {
			*fp = cur;
			return true;
		}
		prev = cur;
	}
	*fp = prev;
	return false;
}
