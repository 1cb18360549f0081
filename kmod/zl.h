/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zonelens: shared declarations.
 */
#ifndef ZL_H
#define ZL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/mmzone.h>
#include "zl_compat.h"

#define ZL_FORMAT_VERSION	5
#define ZL_MODULE_VERSION	"0.1.0"
#define ZL_MAX_PASSES		8
#define ZL_RING_CAPACITY	256

/*
 * zl_buf.c: a growable text buffer, kvmalloc'd, for process context only.
 *
 * Beside the text it records the values the text is rendered from (rec,
 * one u32 per value or half of a u64).  In check mode nothing is written:
 * every recorded value is compared with the one the reference pass recorded
 * at the same position, and differ is set on the first difference.  The
 * text is a function of those values (and of constants: the module version,
 * the kernel release, the machine, the zone names), so a check pass that agrees is a
 * second pass whose text would be byte for byte the reference's.
 */
struct zl_buf {
	char *data;
	size_t len;
	size_t cap;
	int err;
	u32 *rec;
	size_t rec_len;
	size_t rec_cap;
	size_t rec_pos;
	bool check;
	bool differ;
};

int zl_buf_init(struct zl_buf *b, size_t cap);
void zl_buf_free(struct zl_buf *b);
void zl_buf_reset(struct zl_buf *b);
__printf(2, 3) void zl_printf(struct zl_buf *b, const char *fmt, ...);
void zl_put_cpumask(struct zl_buf *b, const struct cpumask *mask);
void zl_put_nodemask(struct zl_buf *b, const nodemask_t *mask);
int zl_buf_insert(struct zl_buf *b, size_t at, const char *s, size_t n);
void zl_putc(struct zl_buf *b, char c);
void zl_puts(struct zl_buf *b, const char *s);
void zl_put_uint(struct zl_buf *b, unsigned int v);
void zl_rec(struct zl_buf *b, u32 v);
void zl_rec64(struct zl_buf *b, u64 v);
void zl_buf_check(struct zl_buf *b);
void zl_buf_record(struct zl_buf *b);

/* zl_fp.c: zonelist walk and FNV-1a fingerprint */
pg_data_t *zl_pgdat(int nid);
const char *zl_zone_name(const struct zone *zone);
u64 zl_walk_zonelists(struct zl_buf *b);
u64 zl_fingerprint(void);
bool zl_fingerprint_stable(u64 *fp);

/* zl_render.c: the sections of the format */
enum zl_file {
	ZL_F_SNAPSHOT,
	ZL_F_HEADER,
	ZL_F_NODES,
	ZL_F_DISTANCE,
	ZL_F_ZONES,
	ZL_F_ZONELISTS,
	ZL_F_EVENTS,
	ZL_F_NR,
};

/*
 * Render one pass of @kind (not ZL_F_EVENTS) into @b.  *@ins is set to
 * the offset where the consistency lines belong.
 */
void zl_render_pass(struct zl_buf *b, enum zl_file kind, size_t *ins);

/* zl_snapshot.c: passes until two consecutive ones agree */
int zl_render_stable(struct zl_buf *out, enum zl_file kind);

/* zl_events.c: the event ring */
enum zl_ev_type {
	ZL_EV_MEM_GOING_ONLINE,
	ZL_EV_MEM_ONLINE,
	ZL_EV_MEM_CANCEL_ONLINE,
	ZL_EV_MEM_GOING_OFFLINE,
	ZL_EV_MEM_OFFLINE,
	ZL_EV_MEM_CANCEL_OFFLINE,
	ZL_EV_CPU_ONLINE,
	ZL_EV_CPU_OFFLINE,
	ZL_EV_FP_CHANGE,
	/* the node notifier, where it exists (zl_compat.h) */
	ZL_EV_NODE_ADDING_FIRST_MEMORY,
	ZL_EV_NODE_ADDED_FIRST_MEMORY,
	ZL_EV_NODE_CANCEL_ADDING_FIRST_MEMORY,
	ZL_EV_NODE_REMOVING_LAST_MEMORY,
	ZL_EV_NODE_REMOVED_LAST_MEMORY,
	ZL_EV_NODE_CANCEL_REMOVING_LAST_MEMORY,
};

/*
 * A memory online or offline in flight: from its first notification to its
 * last (zl_events.c).  The node notifier's first events carry no pfn range:
 * have_range is false until MEM_GOING_* comes.
 */
struct zl_memop {
	bool busy;
	bool online;
	bool have_range;
	int nid;
	unsigned long pfn;
	unsigned long nr;
	u64 seq;			/* the event that started it */
};

int zl_events_init(void);
void zl_events_exit(void);
u64 zl_observe(u64 fp);
bool zl_mem_quiet(u64 *seq, struct zl_memop *op);
int zl_format_memop(char *s, size_t size, const struct zl_memop *op);
void zl_render_event_pos(struct zl_buf *b);
int zl_render_events(struct zl_buf *b);
void zl_log_mem_event(int type, int nid, unsigned long pfn, unsigned long nr);
void zl_log_cpu_event(int type, int cpu);

/* zl_hotplug.c: memory and node notifiers, CPU hotplug state */
int zl_hotplug_register(void);
void zl_hotplug_unregister(void);

#endif /* ZL_H */
