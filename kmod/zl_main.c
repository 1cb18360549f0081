// SPDX-License-Identifier: GPL-2.0
/*
 * zonelens: module init and the debugfs files.
 *
 * Each open() renders its file into a kvmalloc'd buffer that read() serves
 * and release() frees.  debugfs wraps these fops in its full proxy, which
 * takes a reference on THIS_MODULE (.owner) for as long as a file is open,
 * so rmmod fails with EBUSY/EWOULDBLOCK until the last reader closes.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/err.h>
#include "zl.h"

static const char * const zl_file_names[ZL_F_NR] = {
	[ZL_F_SNAPSHOT] = "snapshot",
	[ZL_F_HEADER] = "header",
	[ZL_F_NODES] = "nodes",
	[ZL_F_DISTANCE] = "distance",
	[ZL_F_ZONES] = "zones",
	[ZL_F_ZONELISTS] = "zonelists",
	[ZL_F_EVENTS] = "events",
};

/* i_private of each file points at its entry here */
static const enum zl_file zl_file_kinds[ZL_F_NR] = {
	ZL_F_SNAPSHOT, ZL_F_HEADER, ZL_F_NODES, ZL_F_DISTANCE,
	ZL_F_ZONES, ZL_F_ZONELISTS, ZL_F_EVENTS,
};

static struct dentry *zl_dir;

static int zl_open(struct inode *inode, struct file *file)
{
	enum zl_file kind = *(const enum zl_file *)inode->i_private;
	struct zl_buf *b;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	if (kind == ZL_F_EVENTS) {
		ret = zl_buf_init(b, 0);
		if (!ret)
			ret = zl_render_events(b);
	} else {
		ret = zl_render_stable(b, kind);
	}
	if (ret) {
		zl_buf_free(b);
		kfree(b);
		return ret;
	}
	file->private_data = b;
	return 0;
}

static ssize_t zl_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	struct zl_buf *b = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, b->data, b->len);
}

static int zl_release(struct inode *inode, struct file *file)
{
	struct zl_buf *b = file->private_data;

	zl_buf_free(b);
	kfree(b);
	return 0;
}

static const struct file_operations zl_fops = {
	.owner = THIS_MODULE,
	.open = zl_open,
	.read = zl_read,
	.release = zl_release,
	.llseek = default_llseek,
};

static int __init zl_init(void)
{
	int ret, i;

	if (!ZL_HAVE_DEBUGFS) {
		pr_err("zonelens: this kernel has no debugfs (CONFIG_DEBUG_FS is not set); nothing to export\n");
		return -ENODEV;
	}

	ret = zl_events_init();
	if (ret) {
		pr_err("zonelens: cannot set up the event log: %d\n", ret);
		return ret;
	}

	zl_dir = debugfs_create_dir("zonelens", NULL);
	if (IS_ERR(zl_dir)) {
		ret = PTR_ERR(zl_dir);
		pr_err("zonelens: cannot create debugfs directory zonelens (debugfs disabled or restricted?): %d\n",
		       ret);
		zl_events_exit();
		return ret;
	}
	for (i = 0; i < ZL_F_NR; i++)
		debugfs_create_file(zl_file_names[i], 0400, zl_dir,
				    (void *)&zl_file_kinds[i], &zl_fops);

	pr_info("zonelens: format %d, version %s, %u possible nodes\n",
		ZL_FORMAT_VERSION, ZL_MODULE_VERSION, num_possible_nodes());
	return 0;
}

static void __exit zl_exit(void)
{
	debugfs_remove_recursive(zl_dir);
	zl_events_exit();
}

module_init(zl_init);
module_exit(zl_exit);

MODULE_DESCRIPTION("zonelens: NUMA zonelists, node states and hotplug events in debugfs");
MODULE_LICENSE("GPL");
MODULE_VERSION(ZL_MODULE_VERSION);
