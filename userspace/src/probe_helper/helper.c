// SPDX-License-Identifier: GPL-2.0-or-later
// zonelens-probe-helper: the only zonelens executable that links libnuma (docs/probe.md). `zonelens
// probe` starts it with pipes on stdin and stdout and sends one command a line; the helper answers
// with lines and a last line "ok ..." or "error MESSAGE". It exits on EOF of stdin or when its
// parent dies (PR_SET_PDEATHSIG), and the kernel frees everything it allocated at its exit.
//
//   info            "maxnode M", "allowed N...", "size NODE TOTAL_BYTES FREE_BYTES" and
//                   "distance I J D" lines (libnuma's view), then "ok info"
//   prefer NODE     numa_set_preferred(NODE) (MPOL_PREFERRED); "ok prefer POLICY NODE" from
//                   get_mempolicy
//   alloc PAGES     maps PAGES anonymous pages (MADV_NOHUGEPAGE), writes each in order, then
//                   reports "run NODE PFN COUNT" for each run of consecutive PFNs on one node, in
//                   touch order (numa_move_pages with no target nodes for the node,
//                   /proc/self/pagemap for the PFN), then "ok alloc PAGES"
//
// libnuma's constructor writes one bit per configured node into a 128-bit mask (2.0.16): on more
// than 128 nodes it corrupts memory before main() runs. That is why this is a separate program.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static long page_size;
static int pagemap_fd = -1;

static void answer_error(const char* what) {
  printf("error %s: %s\n", what, strerror(errno));
  fflush(stdout);
}

static void do_info(void) {
  const int maxnode = numa_max_node();
  printf("maxnode %d\n", maxnode);
  struct bitmask* allowed = numa_get_mems_allowed();
  printf("allowed");
  for (int n = 0; n <= maxnode; ++n) {
    if (numa_bitmask_isbitset(allowed, (unsigned)n)) {
      printf(" %d", n);
    }
  }
  printf("\n");
  numa_bitmask_free(allowed);
  for (int n = 0; n <= maxnode; ++n) {
    if (!numa_bitmask_isbitset(numa_nodes_ptr, (unsigned)n)) {
      continue;
    }
    long long free_bytes = 0;
    const long long total = numa_node_size64(n, &free_bytes);
    printf("size %d %lld %lld\n", n, total, free_bytes);
    for (int m = 0; m <= maxnode; ++m) {
      if (numa_bitmask_isbitset(numa_nodes_ptr, (unsigned)m)) {
        printf("distance %d %d %d\n", n, m, numa_distance(n, m));
      }
    }
  }
  printf("ok info\n");
  fflush(stdout);
}

static void do_prefer(int node) {
  numa_set_preferred(node);
  int mode = -1;
  unsigned long mask[16];
  memset(mask, 0, sizeof(mask));
  if (get_mempolicy(&mode, mask, sizeof(mask) * 8, NULL, 0) != 0) {
    answer_error("get_mempolicy");
    return;
  }
  int first = -1;
  for (unsigned i = 0; i < sizeof(mask) * 8; ++i) {
    if (mask[i / (sizeof(long) * 8)] & (1UL << (i % (sizeof(long) * 8)))) {
      first = (int)i;
      break;
    }
  }
  printf("ok prefer %s %d\n", mode == MPOL_PREFERRED ? "preferred" : "other", first);
  fflush(stdout);
}

static void do_alloc(long pages) {
  const size_t len = (size_t)pages * (size_t)page_size;
  char* mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    answer_error("mmap");
    return;
  }
  if (madvise(mem, len, MADV_NOHUGEPAGE) != 0) {
    answer_error("madvise(MADV_NOHUGEPAGE)");
    return;
  }
  for (long i = 0; i < pages; ++i) {
    mem[i * page_size] = (char)1;
  }
  void** addrs = malloc(sizeof(void*) * (size_t)pages);
  int* status = malloc(sizeof(int) * (size_t)pages);
  uint64_t* pm = malloc(sizeof(uint64_t) * (size_t)pages);
  if (addrs == NULL || status == NULL || pm == NULL) {
    answer_error("malloc");
    exit(2);
  }
  for (long i = 0; i < pages; ++i) {
    addrs[i] = mem + i * page_size;
  }
  if (numa_move_pages(0, (unsigned long)pages, addrs, NULL, status, 0) != 0) {
    answer_error("numa_move_pages");
    return;
  }
  const off_t off = (off_t)((uintptr_t)mem / (uintptr_t)page_size) * 8;
  const ssize_t want = (ssize_t)(sizeof(uint64_t) * (size_t)pages);
  if (pread(pagemap_fd, pm, (size_t)want, off) != want) {
    answer_error("pread /proc/self/pagemap");
    return;
  }
  long i = 0;
  while (i < pages) {
    const uint64_t pfn = pm[i] & ((1ULL << 55) - 1);
    if (!(pm[i] & (1ULL << 63)) || pfn == 0) {
      errno = EPERM;
      answer_error("/proc/self/pagemap shows no PFN (needs CAP_SYS_ADMIN)");
      return;
    }
    long j = i + 1;
    while (j < pages && status[j] == status[i] &&
           (pm[j] & ((1ULL << 55) - 1)) == pfn + (uint64_t)(j - i)) {
      ++j;
    }
    printf("run %d %llu %ld\n", status[i], (unsigned long long)pfn, j - i);
    i = j;
  }
  printf("ok alloc %ld\n", pages);
  fflush(stdout);
  free(addrs);
  free(status);
  free(pm);
  // the memory stays mapped and resident until the helper exits
}

int main(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) {
    return 2;  // the parent is already gone
  }
  page_size = sysconf(_SC_PAGESIZE);
  if (numa_available() < 0) {
    printf("error libnuma: numa_available() says this kernel has no NUMA support\n");
    return 2;
  }
  pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (pagemap_fd < 0) {
    answer_error("open /proc/self/pagemap");
    return 2;
  }
  printf("ok ready %ld\n", (long)getpid());
  fflush(stdout);
  char line[256];
  while (fgets(line, sizeof(line), stdin) != NULL) {
    long arg = 0;
    if (strncmp(line, "info", 4) == 0) {
      do_info();
    } else if (sscanf(line, "prefer %ld", &arg) == 1 && arg >= 0 && arg <= numa_max_node()) {
      do_prefer((int)arg);
    } else if (sscanf(line, "alloc %ld", &arg) == 1 && arg > 0 && arg <= (1L << 24)) {
      do_alloc(arg);
    } else {
      printf("error bad command\n");
      fflush(stdout);
    }
  }
  return 0;
}
