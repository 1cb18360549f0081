// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: growable text buffer.
 *
 * Rendering happens at open() in process context, so the buffer may grow
 * with GFP_KERNEL.  A failed allocation is remembered in ->err and makes
 * every later call a no-op; the caller checks ->err once at the end.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/sizes.h>
#include <linux/cpumask.h>
#include <linux/nodemask.h>
#include "zl.h"

/* 1024 possible nodes give about 21 MB of distance lines; allow headroom */
#define ZL_BUF_MAX	SZ_1G

static int zl_buf_grow(struct zl_buf *b, size_t need)
{
	size_t cap = max_t(size_t, b->cap * 2, need);
	char *p;

	if (need > ZL_BUF_MAX) {
		b->err = -EFBIG;
		return b->err;
	}
	cap = min_t(size_t, cap, ZL_BUF_MAX);
	p = kvmalloc(cap, GFP_KERNEL);
	if (!p) {
		b->err = -ENOMEM;
		return b->err;
	}
	if (b->len)
		memcpy(p, b->data, b->len);
	kvfree(b->data);
	b->data = p;
	b->cap = cap;
	return 0;
}

int zl_buf_init(struct zl_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	return zl_buf_grow(b, max_t(size_t, cap, SZ_4K));
}

void zl_buf_free(struct zl_buf *b)
{
	kvfree(b->data);
	kvfree(b->rec);
	memset(b, 0, sizeof(*b));
}

/* Empty text and values, for a new reference pass. */
void zl_buf_reset(struct zl_buf *b)
{
	b->len = 0;
	b->err = 0;
	zl_buf_record(b);
}

/* The next pass records its values (and writes its text). */
void zl_buf_record(struct zl_buf *b)
{
	b->rec_len = 0;
	b->rec_pos = 0;
	b->check = false;
	b->differ = false;
}

/* The next pass writes nothing and compares its values with the recorded. */
void zl_buf_check(struct zl_buf *b)
{
	b->rec_pos = 0;
	b->check = true;
	b->differ = false;
}

void zl_rec(struct zl_buf *b, u32 v)
{
	size_t cap;
	u32 *p;

	if (b->err)
		return;
	if (b->check) {
		if (b->rec_pos >= b->rec_len || b->rec[b->rec_pos] != v)
			b->differ = true;
		b->rec_pos++;
		return;
	}
	if (b->rec_len == b->rec_cap) {
		cap = max_t(size_t, b->rec_cap * 2, SZ_4K);
		if (cap > ZL_BUF_MAX / sizeof(u32)) {
			b->err = -EFBIG;
			return;
		}
		p = kvmalloc_array(cap, sizeof(u32), GFP_KERNEL);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		if (b->rec_len)
			memcpy(p, b->rec, b->rec_len * sizeof(u32));
		kvfree(b->rec);
		b->rec = p;
		b->rec_cap = cap;
	}
	b->rec[b->rec_len++] = v;
}

void zl_rec64(struct zl_buf *b, u64 v)
{
	zl_rec(b, lower_32_bits(v));
	zl_rec(b, upper_32_bits(v));
}

static void zl_rec_bits(struct zl_buf *b, const unsigned long *bits,
			unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		zl_rec64(b, bits[i]);
}

void zl_printf(struct zl_buf *b, const char *fmt, ...)
{
	va_list args;
	size_t avail;
	int n;

	while (!b->err && !b->check) {
		avail = b->cap - b->len;
		va_start(args, fmt);
		n = vsnprintf(b->data + b->len, avail, fmt, args);
		va_end(args);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if ((size_t)n < avail) {
			b->len += n;
			return;
		}
		zl_buf_grow(b, b->len + n + 1);
	}
}

void zl_put_cpumask(struct zl_buf *b, const struct cpumask *mask)
{
	zl_rec_bits(b, cpumask_bits(mask), nr_cpu_ids);
	if (cpumask_empty(mask))
		zl_printf(b, "-");
	else
		zl_printf(b, "%*pbl", cpumask_pr_args(mask));
}

void zl_put_nodemask(struct zl_buf *b, const nodemask_t *mask)
{
	zl_rec_bits(b, nodes_addr(*mask), MAX_NUMNODES);
	if (nodes_empty(*mask))
		zl_printf(b, "-");
	else
		zl_printf(b, "%*pbl", nodemask_pr_args(mask));
}

/* Insert @n bytes of @s at offset @at, shifting the rest up. */
int zl_buf_insert(struct zl_buf *b, size_t at, const char *s, size_t n)
{
	if (b->err)
		return b->err;
	if (at > b->len)
		return -EINVAL;
	if (b->len + n + 1 > b->cap && zl_buf_grow(b, b->len + n + 1))
		return b->err;
	memmove(b->data + at + n, b->data + at, b->len - at);
	memcpy(b->data + at, s, n);
	b->len += n;
	return 0;
}

/*
 * Room for @n more bytes and a NUL; false (with ->err set) if none.
 * The fast appenders below use it instead of vsnprintf(): at 1024 nodes a
 * pass writes about a million distances and a million zonerefs.
 */
static bool zl_buf_room(struct zl_buf *b, size_t n)
{
	if (b->err || b->check)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	return !zl_buf_grow(b, b->len + n + 1);
}

void zl_putc(struct zl_buf *b, char c)
{
	if (!zl_buf_room(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void zl_puts(struct zl_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (!zl_buf_room(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* @v in decimal, as "%u" writes it. */
void zl_put_uint(struct zl_buf *b, unsigned int v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	if (!zl_buf_room(b, n))
		return;
	while (n)
		b->data[b->len++] = tmp[--n];
	b->data[b->len] = '\0';
}
