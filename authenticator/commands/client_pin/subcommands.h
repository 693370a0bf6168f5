// The clientPIN subcommand handlers (one .cpp each), called by client_pin.cpp.
#pragma once

#include "authenticator/commands/client_pin/client_pin.h"

namespace vfido::clientpin {

Result<ClientPinResponse> get_pin_retries(Ctx& ctx, const ClientPinRequest& req);      // 0x01
Result<ClientPinResponse> get_uv_retries(Ctx& ctx, const ClientPinRequest& req);       // 0x07
Result<ClientPinResponse> get_key_agreement(Ctx& ctx, const ClientPinRequest& req);    // 0x02
Result<ClientPinResponse> set_pin(Ctx& ctx, const ClientPinRequest& req);              // 0x03
Result<ClientPinResponse> change_pin(Ctx& ctx, const ClientPinRequest& req);           // 0x04
Result<ClientPinResponse> get_pin_token(Ctx& ctx, const ClientPinRequest& req);        // 0x05
Result<ClientPinResponse> get_pin_uv_auth_token_using_pin(Ctx& ctx, const ClientPinRequest& req);  // 0x09
Result<Step<ClientPinResponse>> get_pin_uv_auth_token_using_uv(Ctx& ctx, const ClientPinRequest& req);  // 0x06

}  // namespace vfido::clientpin
