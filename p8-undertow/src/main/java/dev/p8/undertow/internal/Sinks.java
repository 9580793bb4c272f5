package dev.p8.undertow.internal;

import java.io.IOException;
import java.util.function.Consumer;
import org.xnio.ChannelListeners;
import org.xnio.channels.StreamSinkChannel;

/** Ending a body without blocking: shut the sink down and flush it, now or when it can take more. */
final class Sinks {

  private Sinks() {}

  /**
   * Shuts {@code channel} down for writes and flushes it.
   *
   * @param done   runs once everything is flushed, now or later
   * @param failed runs instead if writing fails
   */
  static void finish(StreamSinkChannel channel, Runnable done, Consumer<IOException> failed) {
    try {
      channel.shutdownWrites();
      if (channel.flush()) {
        channel.getWriteSetter().set(null);
        done.run();
        return;
      }
      channel.getWriteSetter().set(ChannelListeners.flushingChannelListener(ch -> {
        ch.suspendWrites();
        ch.getWriteSetter().set(null);
        done.run();
      }, (ch, e) -> failed.accept(e)));
      channel.resumeWrites();
    } catch (IOException e) {
      failed.accept(e);
    }
  }
}
