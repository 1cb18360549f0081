// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: event log (the ring and its rendering; the callbacks that
 * feed it are in zl_hotplug.c).
 *
 * Locking.  zl_log.lock is a leaf mutex: nothing is taken while it is
 * held, and it is never held across an allocation.  The memory and node
 * notifiers take it under mem_hotplug_begin() (cpu_hotplug_lock read,
 * then mem_hotplug_lock write), the CPU hotplug callbacks in the cpuhp
 * thread under the cpu_hotplug_lock write side held by the controlling
 * task, and readers at open() with no other lock held.  Every order is
 * therefore "hotplug locks -> zl_log.lock" and no cycle can form.  All
 * callbacks run in process context and may sleep (blocking notifier
 * chains, CPUHP_AP_ONLINE_DYN runs in the per-CPU hotplug thread).
 *
 * The fingerprint is computed, compared with the last observed one and
 * logged under the mutex, so observations are totally ordered: a reader
 * that computed a fingerprint before a rebuild cannot log it after the
 * event of that rebuild (which would count two generations for one
 * change).  A reader's rendered fingerprint is only taken as an
 * observation when it equals the live fingerprint recomputed under the
 * mutex (see zl_observe()).
 *
 * Nothing in these paths allocates: the ring and the CPU scratch bitmap
 * are allocated at load, and loading fails if they cannot be.
 */
#include <linux/kernel.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/topology.h>
#include "zl.h"

struct zl_event {
	u64 seq;
	u64 ts;
	u64 fp;
	u64 gen;
	unsigned long pfn;
	unsigned long nr;
	int type;
	int nid;
	int cpu;
	unsigned int ncpus;
};

/* one entry per CPU found in a node mask, node-major, ascending */
struct zl_cpu_ent {
	u16 nid;
	u16 cpu;
};

struct zl_counters {
	u64 loaded_ns;
	u64 first_seq;
	u64 last_seq;
	u64 dropped;
	u64 lost;
	u64 cpu_overlap;
	unsigned int count;
};

static struct {
	struct mutex lock;		/* guards everything below */
	struct zl_event *ev;		/* ZL_RING_CAPACITY events */
	struct zl_cpu_ent *cpus;	/* nr_cpu_ids entries per event */
	unsigned long *seen;		/* nr_cpu_ids bits of scratch */
	unsigned int head;
	unsigned int count;
	u64 next_seq;
	u64 dropped;
	u64 lost;
	u64 cpu_overlap;
	u64 last_fp;
	u64 gen;
	u64 loaded_ns;
	u64 mem_seq;			/* memory events seen */
	struct zl_memop op;		/* the memory operation in flight */
} zl_log = {
	.lock = __MUTEX_INITIALIZER(zl_log.lock),
};

static const char * const zl_ev_names[] = {
	[ZL_EV_MEM_GOING_ONLINE] = "mem_going_online",
	[ZL_EV_MEM_ONLINE] = "mem_online",
	[ZL_EV_MEM_CANCEL_ONLINE] = "mem_cancel_online",
	[ZL_EV_MEM_GOING_OFFLINE] = "mem_going_offline",
	[ZL_EV_MEM_OFFLINE] = "mem_offline",
	[ZL_EV_MEM_CANCEL_OFFLINE] = "mem_cancel_offline",
	[ZL_EV_CPU_ONLINE] = "cpu_online",
	[ZL_EV_CPU_OFFLINE] = "cpu_offline",
	[ZL_EV_FP_CHANGE] = "fp_change",
	[ZL_EV_NODE_ADDING_FIRST_MEMORY] = "node_adding_first_memory",
	[ZL_EV_NODE_ADDED_FIRST_MEMORY] = "node_added_first_memory",
	[ZL_EV_NODE_CANCEL_ADDING_FIRST_MEMORY] = "node_cancel_adding_first_memory",
	[ZL_EV_NODE_REMOVING_LAST_MEMORY] = "node_removing_last_memory",
	[ZL_EV_NODE_REMOVED_LAST_MEMORY] = "node_removed_last_memory",
	[ZL_EV_NODE_CANCEL_REMOVING_LAST_MEMORY] = "node_cancel_removing_last_memory",
};

/* Store every node's cpumask_of_node() as (nid, cpu) pairs. */
static unsigned int zl_fill_cpus_locked(struct zl_cpu_ent *ent)
{
	unsigned int n = 0;
	int nid, cpu;

	bitmap_zero(zl_log.seen, nr_cpu_ids);
	for_each_node(nid) {
		for_each_cpu(cpu, cpumask_of_node(nid)) {
			if (test_and_set_bit(cpu, zl_log.seen)) {
				zl_log.cpu_overlap++;
				continue;
			}
			ent[n].nid = nid;
			ent[n].cpu = cpu;
			n++;
		}
	}
	return n;
}

static void zl_log_locked(int type, int nid, int cpu, unsigned long pfn,
			  unsigned long nr, u64 fp)
{
	struct zl_event *e;
	unsigned int slot;

	lockdep_assert_held(&zl_log.lock);
	if (fp != zl_log.last_fp) {
		zl_log.last_fp = fp;
		zl_log.gen++;
	}
	if (!zl_log.ev) {
		zl_log.lost++;
		return;
	}
	if (zl_log.count == ZL_RING_CAPACITY) {
		slot = zl_log.head;
		zl_log.head = (zl_log.head + 1) % ZL_RING_CAPACITY;
		zl_log.dropped++;
	} else {
		slot = (zl_log.head + zl_log.count) % ZL_RING_CAPACITY;
		zl_log.count++;
	}
	e = &zl_log.ev[slot];
	e->seq = zl_log.next_seq++;
	e->ts = ktime_get_boottime_ns();
	e->fp = fp;
	e->gen = zl_log.gen;
	e->pfn = pfn;
	e->nr = nr;
	e->type = type;
	e->nid = nid;
	e->cpu = cpu;
	e->ncpus = zl_fill_cpus_locked(&zl_log.cpus[(size_t)slot * nr_cpu_ids]);
}

/*
 * A read rendered lists with fingerprint @fp.  If it is new, log an
 * fp_change event, but only if @fp is still the live fingerprint (two
 * equal walks under the mutex): a pass rendered before a rebuild whose
 * event is already logged, or torn by a rebuild, is not an observation
 * and must not count a generation.  Such a pass differs from the next
 * one, so zl_render_stable() renders again.  Nor is a pass rendered while
 * a memory online/offline is in flight: its final notification logs the
 * rebuilt lists.  Returns the generation.
 */
u64 zl_observe(u64 fp)
{
	u64 gen, live;

	mutex_lock(&zl_log.lock);
	if (fp != zl_log.last_fp && !zl_log.op.busy &&
	    zl_fingerprint_stable(&live) && live == fp)
		zl_log_locked(ZL_EV_FP_CHANGE, NUMA_NO_NODE, -1, 0, 0, fp);
	gen = zl_log.gen;
	mutex_unlock(&zl_log.lock);
	return gen;
}

/*
 * A token for zl_render_stable(): false while a memory online/offline is
 * between its first and last notification (the span of its zonelist
 * rebuild and of its counter updates), otherwise *@seq changes with every
 * memory event.  *@op is the operation in flight (op->busy false: none).
 */
bool zl_mem_quiet(u64 *seq, struct zl_memop *op)
{
	mutex_lock(&zl_log.lock);
	*op = zl_log.op;
	*seq = zl_log.mem_seq;
	mutex_unlock(&zl_log.lock);
	return !op->busy;
}

/*
 * The "inflight" line of every file (docs/debugfs-format.md, format 4):
 * "inflight none", or the operation with its node, its pfn range ("-" for
 * both until MEM_GOING_* tells it) and the sequence number of the event
 * that started it.
 */
int zl_format_memop(char *s, size_t size, const struct zl_memop *op)
{
	const char *dir = op->online ? "online" : "offline";

	if (!op->busy)
		return scnprintf(s, size, "inflight none\n");
	if (!op->have_range)
		return scnprintf(s, size, "inflight %s nid %d pfn - nr - seq %llu\n",
				 dir, op->nid, op->seq);
	return scnprintf(s, size, "inflight %s nid %d pfn 0x%lx nr %lu seq %llu\n",
			 dir, op->nid, op->pfn, op->nr, op->seq);
}

/*
 * Memory and node notifications bracket a memory online/offline: it is
 * in flight from its first notification (NODE_ADDING_FIRST_MEMORY or
 * NODE_REMOVING_LAST_MEMORY where the node notifier exists, else
 * MEM_GOING_*) to its last (MEM_ONLINE, MEM_OFFLINE or MEM_CANCEL_*).
 * NODE_ADDED_FIRST_MEMORY and NODE_REMOVED_LAST_MEMORY come after the
 * rebuild but before MEM_ONLINE/MEM_OFFLINE, so they leave it in flight.
 * The node events name the node only; the MEM_GOING_* after them adds the
 * pfn range and keeps the sequence number of the first.
 */
static void zl_mem_track_locked(int type, int nid, unsigned long pfn,
				unsigned long nr)
{
	struct zl_memop *op = &zl_log.op;

	zl_log.mem_seq++;
	switch (type) {
	case ZL_EV_MEM_GOING_ONLINE:
	case ZL_EV_MEM_GOING_OFFLINE:
	case ZL_EV_NODE_ADDING_FIRST_MEMORY:
	case ZL_EV_NODE_REMOVING_LAST_MEMORY:
		if (!op->busy) {
			op->busy = true;
			op->have_range = false;
			op->seq = zl_log.next_seq;
		}
		op->online = type == ZL_EV_MEM_GOING_ONLINE ||
			     type == ZL_EV_NODE_ADDING_FIRST_MEMORY;
		op->nid = nid;
		if (type == ZL_EV_MEM_GOING_ONLINE ||
		    type == ZL_EV_MEM_GOING_OFFLINE) {
			op->have_range = true;
			op->pfn = pfn;
			op->nr = nr;
		}
		break;
	case ZL_EV_NODE_ADDED_FIRST_MEMORY:
	case ZL_EV_NODE_REMOVED_LAST_MEMORY:
		break;
	default:
		memset(op, 0, sizeof(*op));
		break;
	}
}

/*
 * Log a memory or node notification (zl_hotplug.c).  The callers run
 * under mem_hotplug_begin(), so no rebuild runs concurrently and one
 * fingerprint walk is exact.
 */
void zl_log_mem_event(int type, int nid, unsigned long pfn, unsigned long nr)
{
	mutex_lock(&zl_log.lock);
	zl_mem_track_locked(type, nid, pfn, nr);
	zl_log_locked(type, nid, -1, pfn, nr, zl_fingerprint());
	mutex_unlock(&zl_log.lock);
}

/*
 * Log a CPU hotplug callback (zl_hotplug.c); they run with the
 * cpu_hotplug_lock held, and no zonelist rebuild runs under it.
 */
void zl_log_cpu_event(int type, int cpu)
{
	mutex_lock(&zl_log.lock);
	zl_log_locked(type, cpu_to_node(cpu), cpu, 0, 0, zl_fingerprint());
	mutex_unlock(&zl_log.lock);
}

/* Free the ring and the scratch bitmap; no callback or reader may be left. */
static void zl_events_free(void)
{
	bitmap_free(zl_log.seen);
	kvfree(zl_log.cpus);
	kvfree(zl_log.ev);
	zl_log.seen = NULL;
	zl_log.cpus = NULL;
	zl_log.ev = NULL;
}

int zl_events_init(void)
{
	int ret;

	zl_log.ev = kvcalloc(ZL_RING_CAPACITY, sizeof(*zl_log.ev), GFP_KERNEL);
	zl_log.cpus = kvcalloc((size_t)ZL_RING_CAPACITY * nr_cpu_ids,
			       sizeof(*zl_log.cpus), GFP_KERNEL);
	zl_log.seen = bitmap_zalloc(nr_cpu_ids, GFP_KERNEL);
	if (!zl_log.ev || !zl_log.cpus || !zl_log.seen) {
		zl_events_free();
		return -ENOMEM;
	}
	zl_log.next_seq = 1;
	zl_log.loaded_ns = ktime_get_boottime_ns();
	zl_log.last_fp = zl_fingerprint();
	zl_log.gen = 0;

	ret = zl_hotplug_register();
	if (ret)
		zl_events_free();
	return ret;
}

void zl_events_exit(void)
{
	zl_hotplug_unregister();
	/* no callback and no reader is left: debugfs went first */
	zl_events_free();
}

static void zl_counters_locked(struct zl_counters *c)
{
	c->loaded_ns = zl_log.loaded_ns;
	c->count = zl_log.count;
	c->first_seq = c->count ? zl_log.next_seq - c->count : 0;
	c->last_seq = c->count ? zl_log.next_seq - 1 : 0;
	c->dropped = zl_log.dropped;
	c->lost = zl_log.lost;
	c->cpu_overlap = zl_log.cpu_overlap;
}

void zl_render_event_pos(struct zl_buf *b)
{
	struct zl_counters c;

	mutex_lock(&zl_log.lock);
	zl_counters_locked(&c);
	mutex_unlock(&zl_log.lock);
	zl_rec64(b, c.first_seq);
	zl_rec64(b, c.last_seq);
	zl_rec64(b, c.dropped);
	zl_rec64(b, c.lost);
	zl_printf(b, "events first_seq %llu last_seq %llu dropped %llu lost %llu capacity %u\n",
		  c.first_seq, c.last_seq, c.dropped, c.lost, ZL_RING_CAPACITY);
}

/* "NID:LIST" pairs joined by ",", e.g. "0:0-1,1:2-3", or "-" */
static void zl_put_cpumap(struct zl_buf *b, const struct zl_cpu_ent *ent,
			  unsigned int n)
{
	unsigned int i = 0, j, nid, start;

	if (!n) {
		zl_printf(b, "-");
		return;
	}
	while (i < n) {
		nid = ent[i].nid;
		start = i;
		zl_printf(b, "%s%u:", i ? "," : "", nid);
		while (i < n && ent[i].nid == nid) {
			/* j ends a run of consecutive CPUs of this node */
			j = i;
			while (j + 1 < n && ent[j + 1].nid == nid &&
			       ent[j + 1].cpu == ent[j].cpu + 1)
				j++;
			zl_printf(b, "%s%u", i == start ? "" : ",", ent[i].cpu);
			if (j > i)
				zl_printf(b, "-%u", ent[j].cpu);
			i = j + 1;
		}
	}
}

static void zl_put_event(struct zl_buf *b, const struct zl_event *e,
			 const struct zl_cpu_ent *ent)
{
	zl_printf(b, "event %llu ts %llu %s", e->seq, e->ts, zl_ev_names[e->type]);
	switch (e->type) {
	case ZL_EV_CPU_ONLINE:
	case ZL_EV_CPU_OFFLINE:
		zl_printf(b, " cpu %d nid %d", e->cpu, e->nid);
		break;
	case ZL_EV_FP_CHANGE:
		zl_printf(b, " at read");
		break;
	case ZL_EV_NODE_ADDING_FIRST_MEMORY:
	case ZL_EV_NODE_ADDED_FIRST_MEMORY:
	case ZL_EV_NODE_CANCEL_ADDING_FIRST_MEMORY:
	case ZL_EV_NODE_REMOVING_LAST_MEMORY:
	case ZL_EV_NODE_REMOVED_LAST_MEMORY:
	case ZL_EV_NODE_CANCEL_REMOVING_LAST_MEMORY:
		zl_printf(b, " nid %d", e->nid);
		break;
	default:
		zl_printf(b, " nid %d pfn 0x%lx nr %lu", e->nid, e->pfn, e->nr);
		break;
	}
	zl_printf(b, " fp %016llx gen %llu cpus ", e->fp, e->gen);
	zl_put_cpumap(b, ent, e->ncpus);
	zl_printf(b, "\n");
}

/* The whole events file: a copy of the ring taken under the lock. */
int zl_render_events(struct zl_buf *b)
{
	struct zl_event *ev;
	struct zl_cpu_ent *cpus;
	struct zl_counters c;
	struct zl_memop op;
	unsigned int i, slot;
	char line[96];
	u64 live;
	int ret = 0;

	ev = kvcalloc(ZL_RING_CAPACITY, sizeof(*ev), GFP_KERNEL);
	cpus = kvcalloc((size_t)ZL_RING_CAPACITY * nr_cpu_ids, sizeof(*cpus),
			GFP_KERNEL);
	if (!ev || !cpus) {
		ret = -ENOMEM;
		goto out;
	}

	mutex_lock(&zl_log.lock);
	/* a change no event explained is logged before the copy */
	if (!zl_log.op.busy && zl_fingerprint_stable(&live) &&
	    live != zl_log.last_fp)
		zl_log_locked(ZL_EV_FP_CHANGE, NUMA_NO_NODE, -1, 0, 0, live);
	zl_counters_locked(&c);
	op = zl_log.op;
	for (i = 0; i < c.count; i++) {
		slot = (zl_log.head + i) % ZL_RING_CAPACITY;
		ev[i] = zl_log.ev[slot];
		memcpy(&cpus[(size_t)i * nr_cpu_ids],
		       &zl_log.cpus[(size_t)slot * nr_cpu_ids],
		       ev[i].ncpus * sizeof(*cpus));
	}
	mutex_unlock(&zl_log.lock);

	zl_printf(b, "zonelens-format %d\n", ZL_FORMAT_VERSION);
	zl_printf(b, "log loaded_ns %llu capacity %u first_seq %llu last_seq %llu",
		  c.loaded_ns, ZL_RING_CAPACITY, c.first_seq, c.last_seq);
	zl_printf(b, " dropped %llu lost %llu cpu_overlap %llu\n",
		  c.dropped, c.lost, c.cpu_overlap);
	zl_format_memop(line, sizeof(line), &op);
	zl_puts(b, line);
	for (i = 0; i < c.count; i++)
		zl_put_event(b, &ev[i], &cpus[(size_t)i * nr_cpu_ids]);
	zl_printf(b, "end\n");
	ret = b->err;
out:
	kvfree(cpus);
	kvfree(ev);
	return ret;
}
