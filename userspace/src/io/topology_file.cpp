// SPDX-License-Identifier: GPL-2.0-or-later
// What-if topology files (docs/topology-file.md), read with nlohmann-json.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "zonelens/arch.hpp"
#include "zonelens/error.hpp"
#include "zonelens/idlist.hpp"
#include "zonelens/invariants.hpp"
#include "zonelens/sources.hpp"

namespace zonelens {

namespace {

using nlohmann::json;

// The zone names of `arch`'s Debian kernels (x86_64: DMA DMA32 Normal Movable Device).
std::vector<std::string> default_zone_names(Arch arch) {
  std::vector<std::string> names;
  for (const std::string_view name : arch_row(arch).zone_names) {
    if (!name.empty()) {
      names.emplace_back(name);
    }
  }
  return names;
}
constexpr std::uint64_t kPagesPerMiB = 256;  // 4 KiB pages

class FileError {
 public:
  explicit FileError(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void operator()(const std::string& where, const std::string& what) const {
    throw InputError(file_ + ": " + where + ": " + what +
                     ": fix the topology file (docs/topology-file.md)");
  }

 private:
  std::string file_;
};

void only_keys(const json& obj, std::initializer_list<std::string_view> keys,
               const std::string& where, const FileError& bad) {
  if (!obj.is_object()) {
    bad(where, "must be an object");
  }
  for (const auto& [k, v] : obj.items()) {
    bool known = false;
    for (const auto key : keys) {
      known = known || key == k;
    }
    if (!known) {
      bad(where, "unknown key '" + k + "'");
    }
  }
}

// A page count of at most kMaxPages; `per` pages per unit (kPagesPerMiB for memory_mb).
std::uint64_t pages(const json& v, const std::string& where, const FileError& bad,
                    std::uint64_t per = 1) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > kMaxPages / per) {
    bad(where, per == 1 ? "must be a page count from 0 to 2^40 (4 PiB of 4 KiB pages)"
                        : "must be a size in MiB from 0 to 2^32 (4 PiB)");
  }
  return v.get<std::uint64_t>() * per;
}

// A non-negative integer below `limit` (kMaxNumnodes for node ids, kMaxCpus for CPU ids).
int small_id(const json& v, const std::string& where, const FileError& bad, int limit) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() >= static_cast<std::uint64_t>(limit)) {
    bad(where, limit == kMaxCpus ? "must be a CPU id (an integer from 0 to 8191)"
                                 : "must be a node id (an integer from 0 to 1023)");
  }
  return v.get<int>();
}

int key_id(const std::string& key, const std::string& where, const FileError& bad) {
  auto ids = parse_id_list(key, kMaxNumnodes);
  if (!ids || ids->size() != 1 || key.find_first_not_of("0123456789") != std::string::npos) {
    bad(where, "key '" + key + "' is not a node id");
  }
  return ids->front();
}

std::vector<int> id_list(const json& v, const std::string& where, const FileError& bad, int limit) {
  if (v.is_string()) {
    auto ids = parse_id_list(v.get<std::string>(), limit);
    if (!ids) {
      bad(where, "'" + v.get<std::string>().substr(0, 80) +
                     "' is not a list like \"0-3,8\" of ids below " + std::to_string(limit));
    }
    return std::move(*ids);
  }
  if (v.is_array()) {
    std::vector<int> ids;
    for (const auto& e : v) {
      ids.push_back(small_id(e, where, bad, limit));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }
  bad(where, "must be a list string like \"0-3\" or an array of integers");
}

}  // namespace

Topology parse_topology_json(std::string_view text, const std::string& file) {
  const FileError bad(file);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1E999999
    throw InputError(file + ": not valid JSON (" + std::string(e.what()) +
                     "): fix the topology file (docs/topology-file.md)");
  }
  only_keys(
      doc, {"kernel_release", "arch", "max_numnodes", "zone_names", "nodes", "distance", "comment"},
      "top level", bad);
  Topology topo;
  if (!doc.contains("kernel_release") || !doc["kernel_release"].is_string()) {
    bad("kernel_release", "is required, a string like \"6.12.0\"");
  }
  topo.kernel_release = doc["kernel_release"].get<std::string>();
  if (doc.contains("max_numnodes")) {
    topo.max_numnodes = small_id(doc["max_numnodes"], "max_numnodes", bad, kMaxNumnodes + 1);
  }
  topo.zone_names = default_zone_names(Arch::kX86_64);
  if (doc.contains("arch")) {
    std::optional<Arch> arch;
    if (doc["arch"].is_string()) {
      topo.arch = doc["arch"].get<std::string>();
      arch = parse_arch_name(topo.arch);
    }
    if (!arch) {
      bad("arch", "must be x86_64, aarch64 or ppc64le (or amd64, arm64, ppc64el, ppc64)");
    }
    topo.zone_names = default_zone_names(*arch);  // unless zone_names says otherwise
  }
  if (doc.contains("zone_names")) {
    const auto& zn = doc["zone_names"];
    if (!zn.is_array() || zn.empty()) {
      bad("zone_names", "must be a non-empty array of strings");
    }
    topo.zone_names.clear();
    for (const auto& n : zn) {
      if (!n.is_string()) {
        bad("zone_names", "must be a non-empty array of strings");
      }
      topo.zone_names.push_back(n.get<std::string>());
    }
  }
  auto zone_index = [&](const std::string& name, const std::string& where) {
    for (std::size_t i = 0; i < topo.zone_names.size(); ++i) {
      if (topo.zone_names[i] == name) {
        return static_cast<int>(i);
      }
    }
    bad(where, "unknown zone '" + name + "' (zone_names lists the known ones)");
  };
  const int normal_index = [&] {
    for (std::size_t i = 0; i < topo.zone_names.size(); ++i) {
      if (topo.zone_names[i] == "Normal") {
        return static_cast<int>(i);
      }
    }
    return static_cast<int>(topo.zone_names.size()) - 1;
  }();

  if (!doc.contains("nodes") || !doc["nodes"].is_array() || doc["nodes"].empty()) {
    bad("nodes", "is required, a non-empty array");
  }
  std::map<int, Node> nodes;
  for (std::size_t i = 0; i < doc["nodes"].size(); ++i) {
    const auto& jn = doc["nodes"][i];
    const std::string where = "nodes[" + std::to_string(i) + "]";
    only_keys(jn,
              {"id", "cpus", "memory_mb", "zones", "online", "memory", "normal_memory", "cpu",
               "has_pgdat", "comment"},
              where, bad);
    if (!jn.contains("id")) {
      bad(where, "needs an 'id'");
    }
    Node n;
    n.id = small_id(jn["id"], where + ".id", bad, kMaxNumnodes);
    if (nodes.contains(n.id)) {
      bad(where, "node " + std::to_string(n.id) + " appears twice");
    }
    if (jn.contains("cpus")) {
      n.cpus = id_list(jn["cpus"], where + ".cpus", bad, kMaxCpus);
    }
    if (jn.contains("memory_mb") && jn.contains("zones")) {
      bad(where, "give either 'memory_mb' or 'zones', not both");
    }
    std::vector<Zone> given;
    if (jn.contains("memory_mb")) {
      Zone z;
      z.index = normal_index;
      z.name = topo.zone_names[static_cast<std::size_t>(normal_index)];
      z.present = z.managed = z.spanned =
          pages(jn["memory_mb"], where + ".memory_mb", bad, kPagesPerMiB);
      given.push_back(z);
    }
    if (jn.contains("zones")) {
      if (!jn["zones"].is_array()) {
        bad(where + ".zones", "must be an array");
      }
      for (std::size_t k = 0; k < jn["zones"].size(); ++k) {
        const auto& jz = jn["zones"][k];
        const std::string zw = where + ".zones[" + std::to_string(k) + "]";
        only_keys(jz, {"name", "present", "managed", "spanned", "memory_mb"}, zw, bad);
        if (!jz.contains("name") || !jz["name"].is_string()) {
          bad(zw, "needs a 'name'");
        }
        Zone z;
        z.name = jz["name"].get<std::string>();
        z.index = zone_index(z.name, zw);
        if (jz.contains("memory_mb")) {
          if (jz.contains("present") || jz.contains("managed") || jz.contains("spanned")) {
            bad(zw, "give either 'memory_mb' or page counts, not both");
          }
          z.present = z.managed = z.spanned =
              pages(jz["memory_mb"], zw + ".memory_mb", bad, kPagesPerMiB);
        } else {
          if (!jz.contains("present")) {
            bad(zw, "needs 'present' pages or 'memory_mb'");
          }
          z.present = pages(jz["present"], zw + ".present", bad);
          z.managed =
              jz.contains("managed") ? pages(jz["managed"], zw + ".managed", bad) : z.present;
          z.spanned =
              jz.contains("spanned") ? pages(jz["spanned"], zw + ".spanned", bad) : z.present;
        }
        for (const auto& g : given) {
          if (g.index == z.index) {
            bad(zw, "zone " + z.name + " appears twice");
          }
        }
        given.push_back(z);
      }
    }
    // Every pgdat has every zone: fill the ones not given as empty.
    for (std::size_t zi = 0; zi < topo.zone_names.size(); ++zi) {
      Zone z;
      z.index = static_cast<int>(zi);
      z.name = topo.zone_names[zi];
      for (const auto& g : given) {
        if (g.index == z.index) {
          z = g;
        }
      }
      n.zones.push_back(z);
    }
    bool has_memory = false;
    bool has_normal = false;
    for (const auto& z : n.zones) {
      has_memory = has_memory || z.present > 0;
      has_normal = has_normal || (z.present > 0 && z.index <= normal_index);
    }
    auto flag = [&](const char* key, bool derived) {
      if (!jn.contains(key)) {
        return derived;
      }
      if (!jn[key].is_boolean()) {
        bad(where + "." + key, "must be true or false");
      }
      return jn[key].get<bool>();
    };
    n.online = flag("online", true);
    n.memory = flag("memory", has_memory);
    n.normal_memory = flag("normal_memory", has_normal);
    n.cpu = flag("cpu", !n.cpus.empty());
    n.has_pgdat = flag("has_pgdat", n.online);
    if (!n.has_pgdat) {
      n.zones.clear();
    }
    nodes.emplace(n.id, std::move(n));
  }
  topo.nr_node_ids = nodes.rbegin()->first + 1;
  for (auto& [id, n] : nodes) {
    topo.nodes.push_back(std::move(n));
  }
  topo.distance = DistanceTable(topo.nr_node_ids);
  if (doc.contains("distance")) {
    const auto& jd = doc["distance"];
    if (!jd.is_object()) {
      bad("distance", R"(must be an object {"FROM": {"TO": VALUE}})");
    }
    std::set<std::pair<int, int>> explicit_pairs;
    for (const auto& [from_key, row] : jd.items()) {
      const int from = key_id(from_key, "distance", bad);
      if (topo.find(from) == nullptr) {
        bad("distance", "node " + from_key + " is not in 'nodes'");
      }
      if (!row.is_object()) {
        bad("distance." + from_key, "must be an object {\"TO\": VALUE}");
      }
      for (const auto& [to_key, value] : row.items()) {
        const int to = key_id(to_key, "distance." + from_key, bad);
        if (topo.find(to) == nullptr) {
          bad("distance." + from_key, "node " + to_key + " is not in 'nodes'");
        }
        if (!value.is_number_unsigned() || value.get<std::uint64_t>() < kLocalDistance ||
            value.get<std::uint64_t>() > 255) {
          std::string where = "distance.";
          where.append(from_key).append(".").append(to_key);
          bad(where, "must be an integer from 10 to 255");
        }
        topo.distance.set(from, to, value.get<int>());
        explicit_pairs.emplace(from, to);
      }
    }
    // Like QEMU's -numa dist: a pair given in one direction only is symmetric.
    for (const auto& [from, to] : explicit_pairs) {
      if (!explicit_pairs.contains({to, from})) {
        topo.distance.set(to, from, topo.distance.at(from, to));
      }
    }
  }
  check_topology(topo, file, "fix the topology file (docs/topology-file.md)");
  return topo;
}

}  // namespace zonelens
