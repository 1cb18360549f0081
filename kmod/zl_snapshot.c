// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: two-pass consistency.
 *
 * zonelist_update_seq and mem_hotplug_lock are out of reach of a module,
 * so a file is read whole, again, and handed out only when two
 * consecutive passes agree: the second pass compares the values it reads
 * with those the first rendered (see zl_render_stable()).  After
 * ZL_MAX_PASSES passes without agreement the last rendered pass is handed
 * out with "stable 0".
 *
 * Equal passes alone would accept a state in the middle of a full rebuild
 * (build_all_zonelists(NULL) rewrites node after node, and on a large
 * machine computing one node's order takes long enough for two quick
 * passes to see the same half-rebuilt set).  Every such runtime rebuild
 * runs between the MEM_GOING_* and the final memory notification, so the
 * accepted pass must also have run with no memory operation in flight and
 * no memory event during it (zl_mem_quiet()).  The node hot-add build of
 * one offline node's own lists has no notification; equal passes cover it.
 *
 * Every file says, after "stable" and "passes", which memory operation
 * was in flight at the last check ("inflight", format 4): a stable file
 * always says "inflight none"; an unstable one names the operation that
 * kept it from settling, if one did, so that a reader can wait for its
 * end instead of taking its counters for a module bug.
 */
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "zl.h"

/* A first guess at the size; zl_buf grows if it is short. */
static size_t zl_estimate(enum zl_file kind)
{
	size_t n = num_possible_nodes();

	switch (kind) {
	case ZL_F_SNAPSHOT:
		return SZ_16K + n * n * 16;
	case ZL_F_DISTANCE:
		return SZ_4K + n * n * 4;
	case ZL_F_ZONELISTS:
		return SZ_4K + n * n * 12;
	default:
		return SZ_4K + n * 200;
	}
}

/*
 * One reference pass renders the text and records the values it is made
 * of; the check pass after it renders nothing and compares the values it
 * reads with the recorded ones (zl_buf, zl.h).  A check pass that agrees is
 * a second pass whose text would have been byte for byte the reference's,
 * so this is the two-equal-passes guarantee at the cost of one rendering
 * and one walk.  A check pass that disagrees is followed by a new reference
 * pass, until ZL_MAX_PASSES passes; then the last reference is handed out
 * with "stable 0".
 */
int zl_render_stable(struct zl_buf *out, enum zl_file kind)
{
	struct zl_buf cur;
	struct zl_memop op = {};
	size_t ins, ins_check;
	char lines[160];
	u64 seq0, seq1;
	bool quiet;
	int passes, stable = 0;
	int ret, n;

	ret = zl_buf_init(&cur, zl_estimate(kind));
	if (ret)
		return ret;
	for (passes = 2; ; passes += 2) {
		zl_buf_reset(&cur);
		zl_render_pass(&cur, kind, &ins);
		if (cur.err)
			break;
		cond_resched();
		zl_buf_check(&cur);
		quiet = zl_mem_quiet(&seq0, &op);
		zl_render_pass(&cur, kind, &ins_check);
		if (cur.err)
			break;
		quiet = zl_mem_quiet(&seq1, &op) && quiet && seq0 == seq1;
		if (quiet && !cur.differ && cur.rec_pos == cur.rec_len) {
			stable = 1;
			break;
		}
		if (passes >= ZL_MAX_PASSES)
			break;
		cond_resched();
	}
	if (cur.err) {
		ret = cur.err;
		zl_buf_free(&cur);
		return ret;
	}
	/* the recorded values are no longer needed */
	kvfree(cur.rec);
	cur.rec = NULL;
	cur.rec_cap = 0;
	zl_buf_record(&cur);

	n = scnprintf(lines, sizeof(lines), "stable %d\npasses %d\n",
		      stable, passes);
	n += zl_format_memop(lines + n, sizeof(lines) - n, &op);
	ret = zl_buf_insert(&cur, ins, lines, n);
	if (ret) {
		zl_buf_free(&cur);
		return ret;
	}
	*out = cur;
	return 0;
}
