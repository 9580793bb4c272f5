package dev.p8.internal.filter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Pushpin's printf-like directives in message content: {@code %%} is a percent sign,
 * {@code %X} a directive with no argument and {@code %(arg)X} one with an argument, where a
 * backslash escapes the next byte of the argument. A {@link Handler} gives each directive's
 * output. Pure and stateless.
 */
final class Directives {

  /** Renders one directive. */
  interface Handler {
    /**
     * Returns the directive's output.
     *
     * @param type the directive letter
     * @param arg  the argument's bytes as UTF-8 text, or null for {@code %X}
     * @return the bytes to put in its place
     * @throws IllegalArgumentException with a message (no offset) if the directive is bad
     */
    byte[] render(char type, String arg);
  }

  private Directives() {}

  /**
   * Replaces every directive in {@code in}.
   *
   * @return {@code in} itself when it has no {@code %}, else a new array
   * @throws IllegalArgumentException naming the offset of the first bad directive
   */
  static byte[] process(byte[] in, Handler handler) {
    int first = indexOf(in, (byte) '%', 0);
    if (first < 0) {
      return in;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 16);
    out.write(in, 0, first);
    int n = first;
    while (n < in.length) {
      byte c = in[n];
      if (c != '%') {
        int next = indexOf(in, (byte) '%', n);
        int end = next < 0 ? in.length : next;
        out.write(in, n, end - n);
        n = end;
        continue;
      }
      if (n + 1 >= in.length) {
        throw new IllegalArgumentException("expected a directive after '%' at offset " + n);
      }
      n++;
      c = in[n];
      if (c == '%') {
        out.write('%');
        n++;
      } else if (c == '(') {
        int fieldStart = n;
        if (n + 1 >= in.length) {
          throw new IllegalArgumentException("expected a character after '(' at offset " + n);
        }
        n++;
        ByteArrayOutputStream arg = new ByteArrayOutputStream();
        boolean closed = false;
        for (; n < in.length; n++) {
          c = in[n];
          if (c == '\\') {
            if (n + 1 >= in.length) {
              throw new IllegalArgumentException("expected a character after '\\' at offset "
                  + n);
            }
            n++;
            arg.write(in[n]);
          } else if (c == ')') {
            closed = true;
            break;
          } else {
            arg.write(c);
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated field starting at offset "
              + fieldStart);
        }
        if (n + 1 >= in.length) {
          throw new IllegalArgumentException("expected a directive after ')' at offset " + n);
        }
        n++;
        out.writeBytes(render(handler, in[n], arg.toString(StandardCharsets.UTF_8), n));
        n++;
      } else if (isAsciiLetter(c)) {
        out.writeBytes(render(handler, c, null, n));
        n++;
      } else {
        throw new IllegalArgumentException("unknown directive " + show(c) + " at offset " + n);
      }
    }
    return out.toByteArray();
  }

  private static byte[] render(Handler handler, byte type, String arg, int offset) {
    if (!isAsciiLetter(type)) {
      throw new IllegalArgumentException("unknown directive " + show(type) + " at offset "
          + offset);
    }
    try {
      return handler.render((char) type, arg);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " at offset " + offset, e);
    }
  }

  static String show(byte b) {
    return b >= 0x21 && b <= 0x7e ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xff);
  }

  private static boolean isAsciiLetter(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static int indexOf(byte[] in, byte b, int from) {
    for (int i = from; i < in.length; i++) {
      if (in[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
