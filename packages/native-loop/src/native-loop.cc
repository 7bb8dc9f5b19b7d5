// runOnce(): one turn of libuv's default loop (uv_run with UV_RUN_ONCE), called from JavaScript that
// must wait synchronously for native work the loop completes, here a WebGPU buffer map in Dawn's Node
// binding, whose completion Dawn delivers from a loop timer. Returns whether the loop has more work.
#include <node_api.h>
#include <uv.h>

namespace {

napi_value RunOnce(napi_env env, napi_callback_info) {
  uv_loop_t* loop = nullptr;
  napi_value result;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    napi_throw_error(env, nullptr, "runOnce: no event loop");
    return nullptr;
  }
  int alive = uv_run(loop, UV_RUN_ONCE);
  napi_get_boolean(env, alive != 0, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "runOnce", NAPI_AUTO_LENGTH, RunOnce, nullptr, &fn);
  napi_set_named_property(env, exports, "runOnce", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
