package dev.p8.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The load generator: one thread, one selector, many sockets. Cheap enough that thousands of
 * clients cost the measured server's two cores little.
 */
final class Load implements AutoCloseable {

  private final Selector selector;
  private final List<Conn> conns = new ArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
  private final byte[] scratch = new byte[256 * 1024];

  Load() throws IOException {
    selector = Selector.open();
  }

  /** One client connection; subclasses decide what to send and how to read. */
  abstract static class Conn {
    SocketChannel channel;
    SelectionKey key;
    private ByteBuffer pending;
    boolean closed;
    long bytes;

    /** Called with what was read; {@code data[0..length)} is valid only during the call. */
    abstract void received(byte[] data, int length);

    /** The peer closed the connection. */
    void peerClosed() {
      closed = true;
    }

    void send(byte[] bytes) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      channel.write(buf);
      if (buf.hasRemaining()) {
        pending = buf;
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    }

    void flush() throws IOException {
      channel.write(pending);
      if (!pending.hasRemaining()) {
        pending = null;
        key.interestOps(SelectionKey.OP_READ);
      }
    }
  }

  <C extends Conn> C connect(int port, C conn, byte[] firstRequest) throws IOException {
    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    ch.configureBlocking(false);
    conn.channel = ch;
    conn.key = ch.register(selector, SelectionKey.OP_READ, conn);
    conns.add(conn);
    if (firstRequest != null) {
      conn.send(firstRequest);
    }
    return conn;
  }

  /** Runs the loop until {@code done} is true or the deadline passes; returns whether done. */
  boolean runUntil(BooleanSupplier done, long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      selector.select(20);
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey k = it.next();
        it.remove();
        Conn conn = (Conn) k.attachment();
        if (!k.isValid()) {
          continue;
        }
        if (k.isWritable()) {
          conn.flush();
        }
        if (k.isReadable()) {
          readBuffer.clear();
          int read;
          try {
            read = conn.channel.read(readBuffer);
          } catch (IOException e) {
            read = -1;
          }
          if (read < 0) {
            k.cancel();
            conn.channel.close();
            conn.peerClosed();
          } else if (read > 0) {
            conn.bytes += read;
            readBuffer.flip();
            readBuffer.get(scratch, 0, read);
            conn.received(scratch, read);
          }
        }
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    for (Conn c : conns) {
      c.channel.close();
    }
    conns.clear();
    selector.close();
  }

  static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A held stream: counts occurrences of a marker, even when one spans two reads. */
  static final class StreamConn extends Conn {
    private final byte[] needle;
    private byte[] carry;
    private int carried;
    long seen;

    StreamConn(String marker) {
      needle = marker.getBytes(StandardCharsets.US_ASCII);
      // Grown to the largest read: 19,000 streams must not cost the load generator gigabytes.
      carry = new byte[needle.length - 1 + 512];
    }

    @Override
    void received(byte[] data, int length) {
      if (carried + length > carry.length) {
        carry = Arrays.copyOf(carry, carried + length);
      }
      System.arraycopy(data, 0, carry, carried, length);
      int total = carried + length;
      seen += occurrences(carry, total, needle);
      carried = Math.min(needle.length - 1, total);
      System.arraycopy(carry, total - carried, carry, 0, carried);
    }
  }

  /**
   * HTTP/1.1 request after request on one keep-alive connection. Understands Content-Length and
   * chunked responses, which is all either proxy sends.
   */
  abstract static class ExchangeConn extends Conn {
    private final java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
    long exchanges;
    long errors;

    /** A complete response arrived; returns the next request, or null to stop. */
    abstract byte[] response(int status, byte[] body);

    @Override
    void received(byte[] data, int length) {
      in.write(data, 0, length);
      while (true) {
        byte[] buf = in.toByteArray();
        int headEnd = indexOf(buf, buf.length, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (headEnd < 0) {
          return;
        }
        String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        int bodyStart = headEnd + 4;
        byte[] body;
        int consumed;
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        int cl = lower.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
          int end = lower.indexOf("\r\n", cl + 2);
          int len = Integer.parseInt(lower.substring(cl + 17, end < 0 ? lower.length() : end).trim());
          if (buf.length < bodyStart + len) {
            return;
          }
          body = java.util.Arrays.copyOfRange(buf, bodyStart, bodyStart + len);
          consumed = bodyStart + len;
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          int pos = bodyStart;
          while (true) {
            int lineEnd = indexOf(buf, pos, buf.length, "\r\n".getBytes(StandardCharsets.US_ASCII));
            if (lineEnd < 0) {
              return;
            }
            int size = Integer.parseInt(new String(buf, pos, lineEnd - pos, StandardCharsets.US_ASCII).trim(), 16);
            if (buf.length < lineEnd + 2 + size + 2) {
              return;
            }
            b.write(buf, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
            if (size == 0) {
              break;
            }
          }
          body = b.toByteArray();
          consumed = pos;
        } else {
          body = new byte[0];
          consumed = bodyStart;
        }
        in.reset();
        in.write(buf, consumed, buf.length - consumed);
        exchanges++;
        if (status != 200) {
          errors++;
        }
        byte[] next = response(status, body);
        if (next == null) {
          return;
        }
        try {
          send(next);
        } catch (IOException e) {
          errors++;
          return;
        }
      }
    }

    @Override
    void peerClosed() {
      super.peerClosed();
      errors++;
    }
  }

  /**
   * A WebSocket client that sends a text message each time one arrives: an echo round trip
   * loop. Masks what it sends, as clients must, and reads unmasked server frames.
   */
  static final class WebSocketConn extends Conn {
    private static final byte[] HANDSHAKE_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
    private final byte[] frame;
    boolean open;
    boolean stop;
    long roundTrips;
    long errors;

    WebSocketConn(String message) {
      byte[] payload = message.getBytes(StandardCharsets.UTF_8);
      if (payload.length > 125) {
        throw new IllegalArgumentException("keep the echo message under 126 bytes");
      }
      frame = new byte[6 + payload.length];
      frame[0] = (byte) 0x81;
      frame[1] = (byte) (0x80 | payload.length);
      byte[] mask = {0x12, 0x34, 0x56, 0x78};
      System.arraycopy(mask, 0, frame, 2, 4);
      for (int i = 0; i < payload.length; i++) {
        frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
      }
    }

    static byte[] handshake(String path) {
      return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    void received(byte[] data, int length) {
      in.write(data, 0, length);
      byte[] buf = in.toByteArray();
      int pos = 0;
      if (!open) {
        int end = indexOf(buf, buf.length, HANDSHAKE_END);
        if (end < 0) {
          return;
        }
        if (!new String(buf, 0, 12, StandardCharsets.US_ASCII).endsWith("101")) {
          errors++;
          closed = true;
          return;
        }
        open = true;
        pos = end + 4;
        sendFrame();
      }
      while (buf.length - pos >= 2) {
        int opcode = buf[pos] & 0x0f;
        int len = buf[pos + 1] & 0x7f;
        int header = 2;
        if (len == 126) {
          if (buf.length - pos < 4) {
            break;
          }
          len = ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
          header = 4;
        } else if (len == 127) {
          errors++;
          closed = true;
          return;
        }
        if (buf.length - pos < header + len) {
          break;
        }
        pos += header + len;
        if (opcode == 1) {
          roundTrips++;
          sendFrame();
        } else if (opcode == 8) {
          closed = true;
          if (!stop) {
            errors++;
          }
        }
      }
      in.reset();
      in.write(buf, pos, buf.length - pos);
    }

    private void sendFrame() {
      if (stop) {
        return;
      }
      try {
        send(frame);
      } catch (IOException e) {
        errors++;
      }
    }

    @Override
    void peerClosed() {
      super.peerClosed();
      if (!stop) {
        errors++;
      }
    }
  }

  static int occurrences(byte[] data, int length, byte[] needle) {
    int count = 0;
    int from = 0;
    while (true) {
      int at = indexOf(data, from, length, needle);
      if (at < 0) {
        return count;
      }
      count++;
      from = at + needle.length;
    }
  }

  static int indexOf(byte[] data, int length, byte[] needle) {
    return indexOf(data, 0, length, needle);
  }

  static int indexOf(byte[] data, int from, int length, byte[] needle) {
    outer:
    for (int i = from; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
