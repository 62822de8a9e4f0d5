// Process-wide table of live evkit loops, so `new Loop({ ptr })` can tell an
// evkit loop from an unknown address. Guarded by a mutex: loops live in many
// threads (worker_threads).
#pragma once

#include <memory>

#include "ev_config.h"

namespace evkit {

class EnvState;
class LoopCore;

namespace registry {

void Add(struct ev_loop* loop, EnvState* env, const std::shared_ptr<LoopCore>& core);
void Remove(struct ev_loop* loop);

enum class Found { kNo, kOtherThread, kYes };
Found Find(struct ev_loop* loop, EnvState* env, std::shared_ptr<LoopCore>* core);
// From any thread (the C API for other addons): the live loop, or null.
std::shared_ptr<LoopCore> FindAny(struct ev_loop* loop);

}  // namespace registry
}  // namespace evkit
