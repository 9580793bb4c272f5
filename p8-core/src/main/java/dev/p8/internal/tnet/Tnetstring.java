package dev.p8.internal.tnet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tnetstrings as Pushpin writes and reads them on its ZeroMQ sockets: {@code <length>:<data><type>}
 * where the type byte is {@code ,} (byte string), {@code #} (integer), {@code ^} (float),
 * {@code !} (boolean), {@code ~} (null), {@code &#125;} (dictionary) or {@code ]} (list).
 *
 * <h2>Java values</h2>
 * Decoding gives {@code byte[]} for byte strings, {@link Long}, {@link Double},
 * {@link Boolean}, {@code null}, {@code LinkedHashMap<String, Object>} for dictionaries (keys must
 * be byte strings and are decoded as UTF-8, malformed sequences replaced as Pushpin's Qt does;
 * a repeated key keeps the last value) and {@code List<Object>}. Encoding accepts those, plus
 * {@link String} (written as its UTF-8 bytes), the other integral boxes, {@link Float}, any
 * {@link Map} with string keys and any {@link Collection}.
 *
 * <h2>Strictness</h2>
 * The whole input must be one value: trailing bytes are an error, where Pushpin ignores them.
 * Length prefixes are 1 to 10 decimal digits. Integers are an optional sign and digits that fit
 * a {@code long}; floats are decimal or exponent notation, or {@code inf}, {@code -inf},
 * {@code nan}; booleans are exactly {@code true} or {@code false}; null carries no data.
 *
 * <h2>Limits</h2>
 * The input size ({@link #DEFAULT_MAX_BYTES} by default) and the nesting depth of dictionaries
 * and lists ({@link #DEFAULT_MAX_DEPTH}) are bounded, so that no input can exhaust the heap or
 * the stack. Every failure is a {@link TnetstringException} naming the offset; no input makes
 * the decoder throw anything else.
 *
 * <p>Instances are immutable and thread safe.
 */
public final class Tnetstring {

  /** The default largest input, in bytes: 16 MiB. */
  public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

  /** The default deepest nesting of dictionaries and lists; the top level counts as 1. */
  public static final int DEFAULT_MAX_DEPTH = 32;

  private static final Tnetstring DEFAULT = new Tnetstring(DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH);
  private static final int MAX_LENGTH_DIGITS = 10;

  private final int maxBytes;
  private final int maxDepth;

  private Tnetstring(int maxBytes, int maxDepth) {
    this.maxBytes = maxBytes;
    this.maxDepth = maxDepth;
  }

  /**
   * The codec with the default limits.
   *
   * @return a shared instance
   */
  public static Tnetstring withDefaults() {
    return DEFAULT;
  }

  /**
   * A codec with other limits.
   *
   * @param maxBytes the largest input accepted, at least 3
   * @param maxDepth the deepest nesting accepted, at least 1
   * @return a codec
   * @throws IllegalArgumentException if a limit is out of range
   */
  public static Tnetstring withLimits(int maxBytes, int maxDepth) {
    if (maxBytes < 3) {
      throw new IllegalArgumentException("maxBytes must be at least 3, was " + maxBytes);
    }
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be at least 1, was " + maxDepth);
    }
    return new Tnetstring(maxBytes, maxDepth);
  }

  /**
   * Decodes one value that spans all of {@code in}.
   *
   * @param in the bytes
   * @return the value; see the class comment for the Java types
   * @throws TnetstringException if the bytes are not exactly one tnetstring within the limits
   */
  public Object decode(byte[] in) throws TnetstringException {
    return decode(in, 0, in.length);
  }

  /**
   * Decodes one value that spans {@code in[from, to)}. Offsets in error messages are offsets
   * into {@code in}, so a caller that skipped a prefix byte reports positions in the whole
   * frame.
   *
   * @param in   the bytes
   * @param from the first byte of the value
   * @param to   one past the last byte of the value
   * @return the value
   * @throws TnetstringException if the range is not exactly one tnetstring within the limits
   */
  public Object decode(byte[] in, int from, int to) throws TnetstringException {
    Objects.checkFromToIndex(from, to, in.length);
    if (to - from > maxBytes) {
      throw new TnetstringException(from, "input of " + (to - from)
          + " bytes exceeds the maximum of " + maxBytes + " (limit maxBytes)");
    }
    Reader reader = new Reader(in, to);
    Object value = reader.value(from, 1);
    if (reader.next != to) {
      throw new TnetstringException(reader.next, (to - reader.next)
          + " bytes of trailing data after the value");
    }
    return value;
  }

  /**
   * Encodes a value.
   *
   * @param value the value; see the class comment for the Java types
   * @return the tnetstring
   * @throws IllegalArgumentException if the value, or something inside it, has another type or
   *     a map has a key that is not a string
   */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    write(out, value);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object value) {
    if (value == null) {
      frame(out, new byte[0], '~');
    } else if (value instanceof byte[]) {
      frame(out, (byte[]) value, ',');
    } else if (value instanceof String) {
      frame(out, ((String) value).getBytes(StandardCharsets.UTF_8), ',');
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      frame(out, ascii(Long.toString(((Number) value).longValue())), '#');
    } else if (value instanceof Double || value instanceof Float) {
      frame(out, ascii(formatDouble(((Number) value).doubleValue())), '^');
    } else if (value instanceof Boolean) {
      frame(out, ascii(value.toString()), '!');
    } else if (value instanceof Map) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (!(e.getKey() instanceof String)) {
          throw new IllegalArgumentException("tnetstring dictionary keys must be strings, found "
              + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
        }
        write(body, e.getKey());
        write(body, e.getValue());
      }
      frame(out, body.toByteArray(), '}');
    } else if (value instanceof Collection) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (Object element : (Collection<?>) value) {
        write(body, element);
      }
      frame(out, body.toByteArray(), ']');
    } else {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getName()
          + " as a tnetstring");
    }
  }

  private static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    return Double.toString(d);
  }

  private static void frame(ByteArrayOutputStream out, byte[] data, char type) {
    out.writeBytes(ascii(Integer.toString(data.length)));
    out.write(':');
    out.writeBytes(data);
    out.write(type);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** One decoding pass; {@code next} is the offset after the last value read. */
  private final class Reader {

    private final byte[] in;
    private final int end;
    private int next;

    Reader(byte[] in, int end) {
      this.in = in;
      this.end = end;
    }

    /** Reads the value starting at {@code at}, which must end by {@code limit}. */
    Object value(int at, int depth) throws TnetstringException {
      return value(at, end, depth);
    }

    private Object value(int at, int limit, int depth) throws TnetstringException {
      if (at >= limit) {
        throw new TnetstringException(at, "expected a value, found the end of the input");
      }
      int colon = at;
      long length = 0;
      while (colon < limit && in[colon] != ':') {
        byte c = in[colon];
        if (c < '0' || c > '9') {
          throw new TnetstringException(colon, "length prefix contains byte " + hex(c)
              + ", expected a digit or ':'");
        }
        if (colon - at >= MAX_LENGTH_DIGITS) {
          throw new TnetstringException(at, "length prefix is longer than "
              + MAX_LENGTH_DIGITS + " digits");
        }
        length = length * 10 + (c - '0');
        colon++;
      }
      if (colon == limit) {
        throw new TnetstringException(at, "length prefix is not followed by ':'");
      }
      if (colon == at) {
        throw new TnetstringException(at, "length prefix is empty");
      }
      int data = colon + 1;
      // The data and the type byte must fit before the limit.
      if (length > limit - data - 1L) {
        throw new TnetstringException(at, "length " + length + " runs past the end of the "
            + (limit == end ? "input" : "enclosing value") + " (" + Math.max(0, limit - data - 1)
            + " bytes available)");
      }
      int dataEnd = data + (int) length;
      byte type = in[dataEnd];
      next = dataEnd + 1;
      switch (type) {
        case ',':
          return copy(data, dataEnd);
        case '#':
          return integer(data, dataEnd);
        case '^':
          return floating(data, dataEnd);
        case '!':
          return bool(data, dataEnd);
        case '~':
          if (data != dataEnd) {
            throw new TnetstringException(at, "null must have no data, has " + length
                + " bytes");
          }
          return null;
        case '}':
          return dict(at, data, dataEnd, depth);
        case ']':
          return list(at, data, dataEnd, depth);
        default:
          throw new TnetstringException(dataEnd, "unknown type byte " + hex(type));
      }
    }

    private Map<String, Object> dict(int at, int data, int dataEnd, int depth)
        throws TnetstringException {
      checkDepth(at, depth);
      Map<String, Object> out = new LinkedHashMap<>();
      int p = data;
      while (p < dataEnd) {
        Object key = value(p, dataEnd, depth + 1);
        if (!(key instanceof byte[])) {
          throw new TnetstringException(p, "dictionary key is not a byte string");
        }
        int valueAt = next;
        if (valueAt == dataEnd) {
          throw new TnetstringException(valueAt, "dictionary key has no value");
        }
        Object value = value(valueAt, dataEnd, depth + 1);
        out.put(new String((byte[]) key, StandardCharsets.UTF_8), value);
        p = next;
      }
      next = dataEnd + 1;
      return out;
    }

    private List<Object> list(int at, int data, int dataEnd, int depth)
        throws TnetstringException {
      checkDepth(at, depth);
      List<Object> out = new ArrayList<>();
      int p = data;
      while (p < dataEnd) {
        out.add(value(p, dataEnd, depth + 1));
        p = next;
      }
      next = dataEnd + 1;
      return out;
    }

    private void checkDepth(int at, int depth) throws TnetstringException {
      if (depth > maxDepth) {
        throw new TnetstringException(at, "nesting deeper than the maximum of " + maxDepth
            + " (limit maxDepth)");
      }
    }

    private byte[] copy(int from, int to) {
      byte[] out = new byte[to - from];
      System.arraycopy(in, from, out, 0, out.length);
      return out;
    }

    private Long integer(int from, int to) throws TnetstringException {
      int p = from;
      if (p < to && (in[p] == '-' || in[p] == '+')) {
        p++;
      }
      if (p == to || to - from > 20) {
        throw new TnetstringException(from, "integer is not a decimal number of at most 19"
            + " digits");
      }
      for (int i = p; i < to; i++) {
        if (in[i] < '0' || in[i] > '9') {
          throw new TnetstringException(i, "integer contains byte " + hex(in[i]));
        }
      }
      try {
        return Long.parseLong(new String(in, from, to - from, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new TnetstringException(from, "integer does not fit in 64 bits");
      }
    }

    private Double floating(int from, int to) throws TnetstringException {
      String text = new String(in, from, to - from, StandardCharsets.ISO_8859_1);
      switch (text.toLowerCase(java.util.Locale.ROOT)) {
        case "inf":
        case "+inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        case "nan":
          return Double.NaN;
        default:
          break;
      }
      boolean digit = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c >= '0' && c <= '9') {
          digit = true;
        } else if ("+-.eE".indexOf(c) < 0) {
          throw new TnetstringException(from + i, "float contains byte " + hex((byte) c));
        }
      }
      if (!digit || text.length() > 64) {
        throw new TnetstringException(from, "float is not a number");
      }
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new TnetstringException(from, "float is not a number");
      }
    }

    private Boolean bool(int from, int to) throws TnetstringException {
      int n = to - from;
      if (n == 4 && in[from] == 't' && in[from + 1] == 'r' && in[from + 2] == 'u'
          && in[from + 3] == 'e') {
        return Boolean.TRUE;
      }
      if (n == 5 && in[from] == 'f' && in[from + 1] == 'a' && in[from + 2] == 'l'
          && in[from + 3] == 's' && in[from + 4] == 'e') {
        return Boolean.FALSE;
      }
      throw new TnetstringException(from, "boolean is neither 'true' nor 'false'");
    }
  }

  private static String hex(byte b) {
    return String.format("0x%02x", b & 0xff);
  }
}
