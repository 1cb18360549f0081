// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: two-pass consistency.
 *
 * zonelist_update_seq and mem_hotplug_lock are out of reach of a module,
 * so a file is rendered whole, again, and handed out only when two
 * consecutive passes are byte for byte equal.  After ZL_MAX_PASSES passes
 * without agreement the last pass is handed out with "stable 0".
 *
 * Equal passes alone would accept a state in the middle of a full rebuild
 * (build_all_zonelists(NULL) rewrites node after node, and on a large
 * machine computing one node's order takes long enough for two quick
 * passes to see the same half-rebuilt set).  Every such runtime rebuild
 * runs between the MEM_GOING_* and the final memory notification, so the
 * accepted pass must also have run with no memory operation in flight and
 * no memory event during it (zl_mem_quiet()).  The node hot-add build of
 * one offline node's own lists has no notification; equal passes cover it.
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

static bool zl_same(const struct zl_buf *a, const struct zl_buf *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

int zl_render_stable(struct zl_buf *out, enum zl_file kind)
{
	struct zl_buf prev, cur;
	size_t ins_prev, ins_cur;
	char lines[40];
	u64 seq0, seq1;
	bool quiet;
	int passes, stable = 0;
	int ret, n;

	ret = zl_buf_init(&prev, zl_estimate(kind));
	if (ret)
		return ret;
	zl_render_pass(&prev, kind, &ins_prev);
	if (prev.err) {
		ret = prev.err;
		zl_buf_free(&prev);
		return ret;
	}

	ret = zl_buf_init(&cur, prev.cap);
	if (ret) {
		zl_buf_free(&prev);
		return ret;
	}
	/* on every exit from this loop, cur holds the last pass */
	for (passes = 2; ; passes++) {
		cond_resched();
		zl_buf_reset(&cur);
		quiet = zl_mem_quiet(&seq0);
		zl_render_pass(&cur, kind, &ins_cur);
		if (cur.err)
			break;
		quiet = zl_mem_quiet(&seq1) && quiet && seq0 == seq1;
		if (quiet && zl_same(&prev, &cur)) {
			stable = 1;
			break;
		}
		if (passes == ZL_MAX_PASSES)
			break;
		swap(prev, cur);
		swap(ins_prev, ins_cur);
	}
	zl_buf_free(&prev);
	if (cur.err) {
		ret = cur.err;
		zl_buf_free(&cur);
		return ret;
	}

	n = scnprintf(lines, sizeof(lines), "stable %d\npasses %d\n",
		      stable, passes);
	ret = zl_buf_insert(&cur, ins_cur, lines, n);
	if (ret) {
		zl_buf_free(&cur);
		return ret;
	}
	*out = cur;
	return 0;
}
