package dev.p8.internal.hold;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.FakeScheduler;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** A held connection that records what the hold does to it; deliveries run inline. */
final class FakeConnection implements HeldConnection {

  record Response(int code, String reason, List<Header> headers, String body) { }

  final FakeScheduler time;
  final List<String> written = new ArrayList<>();
  final List<Response> responses = new ArrayList<>();
  boolean finished;
  boolean refuseWrites;

  FakeConnection(FakeScheduler time) {
    this.time = time;
  }

  @Override
  public Executor executor() {
    return Runnable::run;
  }

  @Override
  public Scheduler scheduler() {
    return time;
  }

  @Override
  public Clock clock() {
    return time;
  }

  @Override
  public void respond(int code, String reason, List<Header> headers, ByteBuffer body) {
    responses.add(new Response(code, reason, headers, StandardCharsets.UTF_8.decode(body.duplicate()).toString()));
  }

  @Override
  public boolean write(ByteBuffer data) {
    if (refuseWrites) {
      return false;
    }
    written.add(StandardCharsets.UTF_8.decode(data.duplicate()).toString());
    return true;
  }

  @Override
  public void finish() {
    finished = true;
  }
}
