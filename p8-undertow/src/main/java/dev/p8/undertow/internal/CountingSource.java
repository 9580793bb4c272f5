package dev.p8.undertow.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/** Counts the request body bytes read from a client, without holding on to them. */
final class CountingSource extends AbstractStreamSourceConduit<StreamSourceConduit> {

  private long count;

  CountingSource(StreamSourceConduit next) {
    super(next);
  }

  long count() {
    return count;
  }

  private long counted(long n) {
    if (n > 0) {
      count += n;
    }
    return n;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return (int) counted(next.read(dst));
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    return counted(next.read(dsts, offs, len));
  }

  @Override
  public long transferTo(long position, long length, FileChannel target) throws IOException {
    return counted(next.transferTo(position, length, target));
  }

  @Override
  public long transferTo(long length, ByteBuffer buffer, StreamSinkChannel target) throws IOException {
    // Through this conduit's own read, so what stays in the buffer is counted once.
    return Conduits.transfer(this, length, buffer, target);
  }
}
