// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: zonelist walk and fingerprint.
 *
 * Process context only (the walks call cond_resched() once per node).
 *
 * There is no lock a module can take against a zonelist rebuild, so every
 * load here is a racy single load (READ_ONCE) of a pointer that the kernel
 * never frees: pg_data_t and struct zone live as long as the system.
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

pg_data_t *zl_pgdat(int nid)
{
	return READ_ONCE(NODE_DATA(nid));
}

/* The @i-th zone of list @list of @pgdat, NULL at the end of the list. */
struct zone *zl_zoneref(pg_data_t *pgdat, int list, int i)
{
	if (i >= MAX_ZONES_PER_ZONELIST)
		return NULL;
	return READ_ONCE(pgdat->node_zonelists[list]._zonerefs[i].zone);
}

u64 zl_fp_init(void)
{
	return ZL_FNV_OFFSET;
}

/* FNV-1a over the four bytes of @w, least significant first. */
u64 zl_fp_word(u64 h, u32 w)
{
	int i;

	for (i = 0; i < 4; i++) {
		h ^= (w >> (8 * i)) & 0xff;
		h *= ZL_FNV_PRIME;
	}
	return h;
}

u32 zl_fp_zone_word(struct zone *zone)
{
	return ((u32)zone_to_nid(zone) << 8) | (u32)zone_idx(zone);
}

u64 zl_fingerprint(void)
{
	u64 h = zl_fp_init();
	pg_data_t *pgdat;
	struct zone *zone;
	int nid, list, i;

	for (nid = 0; nid < nr_node_ids; nid++) {
		pgdat = zl_pgdat(nid);
		if (!pgdat)
			continue;
		for (list = 0; list < MAX_ZONELISTS; list++) {
			h = zl_fp_word(h, nid);
			h = zl_fp_word(h, list);
			for (i = 0; (zone = zl_zoneref(pgdat, list, i)); i++)
				h = zl_fp_word(h, zl_fp_zone_word(zone));
			h = zl_fp_word(h, 0xffffffff);
		}
		cond_resched();
	}
	return h;
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
