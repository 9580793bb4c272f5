package dev.p8.grip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instruction being parsed: filled by {@link HeaderForm}, then {@link JsonForm}. Not thread safe. */
final class Draft {

  HoldMode hold;
  final List<ChannelSubscription> channels = new ArrayList<>();
  Duration timeout = GripInstruction.DEFAULT_TIMEOUT;
  KeepAliveMode keepAliveMode;
  byte[] keepAliveData;
  Duration keepAliveTimeout;
  int status = -1;
  String reason;
  GripLink nextLink;
  GripLink goneLink;
  final Map<String, String> meta = new LinkedHashMap<>();
  final List<String> exposeHeaders = new ArrayList<>();
  InstructResponse response;

  KeepAlive keepAlive() {
    if (keepAliveData == null || keepAliveData.length == 0) {
      return null;
    }
    return KeepAlive.of(keepAliveData, keepAliveTimeout, keepAliveMode);
  }
}
