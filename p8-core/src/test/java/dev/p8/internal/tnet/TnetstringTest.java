package dev.p8.internal.tnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TnetstringTest {

  private static final Tnetstring CODEC = Tnetstring.withDefaults();

  @Test
  void decodesEveryType() throws Exception {
    assertThat((byte[]) decode("5:hello,")).isEqualTo(bytes("hello"));
    assertThat((byte[]) decode("0:,")).isEmpty();
    assertThat(decode("2:42#")).isEqualTo(42L);
    assertThat(decode("3:-42#")).isEqualTo(-42L);
    assertThat(decode("19:9223372036854775807#")).isEqualTo(Long.MAX_VALUE);
    assertThat(decode("4:1.25^")).isEqualTo(1.25);
    assertThat(decode("5:-2e-3^")).isEqualTo(-0.002);
    assertThat(decode("3:inf^")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat((Double) decode("3:nan^")).isNaN();
    assertThat(decode("4:true!")).isEqualTo(true);
    assertThat(decode("5:false!")).isEqualTo(false);
    assertThat(decode("0:~")).isNull();
    assertThat(decode("0:]")).isEqualTo(List.of());
    assertThat(decode("0:}")).isEqualTo(Map.of());
  }

  @Test
  void decodesNestedContainersInOrder() throws Exception {
    Object value = decode("37:1:b,1:1#1:a,14:1:x,0:~4:true!]1:c,0:}}");
    assertThat(value).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    assertThat(map.keySet()).containsExactly("b", "a", "c");
    assertThat(map.get("b")).isEqualTo(1L);
    List<?> list = (List<?>) map.get("a");
    assertThat((byte[]) list.get(0)).isEqualTo(bytes("x"));
    assertThat(list.get(1)).isNull();
    assertThat(list.get(2)).isEqualTo(true);
    assertThat(map.get("c")).isEqualTo(Map.of());
  }

  @Test
  void aRepeatedKeyKeepsTheLastValue() throws Exception {
    assertThat(decode("16:1:k,1:1#1:k,1:2#}")).isEqualTo(Map.of("k", 2L));
  }

  @Test
  void encodesEveryType() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("s", "h\u00e9");
    map.put("b", bytes("raw"));
    map.put("i", 7);
    map.put("l", -8L);
    map.put("d", 0.5);
    map.put("t", true);
    map.put("n", null);
    map.put("list", List.of(1L, "x"));
    assertThat(new String(Tnetstring.encode(map), StandardCharsets.UTF_8)).isEqualTo(
        "83:1:s,3:h\u00e9,1:b,3:raw,1:i,1:7#1:l,2:-8#1:d,3:0.5^1:t,4:true!1:n,0:~"
            + "4:list,8:1:1#1:x,]}");
    assertThat(str(Tnetstring.encode(Double.NEGATIVE_INFINITY))).isEqualTo("4:-inf^");
  }

  @Test
  void encodeRefusesUnknownTypesAndNonStringKeys() {
    assertThatThrownBy(() -> Tnetstring.encode(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot encode java.lang.Object as a tnetstring");
    assertThatThrownBy(() -> Tnetstring.encode(Map.of(1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tnetstring dictionary keys must be strings, found java.lang.Integer");
  }

  @Test
  void roundTrips() throws Exception {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("x", List.of(1L, 2.5, false, Map.of("y", List.of())));
    map.put("n", null);
    Object back = CODEC.decode(Tnetstring.encode(map));
    assertThat(back).isEqualTo(map);
  }

  @Test
  void errorsNameTheOffsetAndTheProblem() {
    assertError("", 0, "expected a value, found the end of the input");
    assertError("5", 0, "length prefix is not followed by ':'");
    assertError(":,", 0, "length prefix is empty");
    assertError("x:,", 0, "length prefix contains byte 0x78, expected a digit or ':'");
    assertError("-1:,", 0, "length prefix contains byte 0x2d, expected a digit or ':'");
    assertError("12345678901:,", 0, "length prefix is longer than 10 digits");
    assertError("9999999999:,", 0,
        "length 9999999999 runs past the end of the input (0 bytes available)");
    assertError("5:abc,", 0, "length 5 runs past the end of the input (3 bytes available)");
    assertError("3:abc", 0, "length 3 runs past the end of the input (2 bytes available)");
    assertError("3:abc?", 5, "unknown type byte 0x3f");
    assertError("3:abc,x", 6, "1 bytes of trailing data after the value");
    assertError("2:4x#", 3, "integer contains byte 0x78");
    assertError("0:#", 2, "integer is not a decimal number of at most 19 digits");
    assertError("19:9223372036854775808#", 3, "integer does not fit in 64 bits");
    assertError("3:abc^", 2, "float contains byte 0x61");
    assertError("1:.^", 2, "float is not a number");
    assertError("3:yes!", 2, "boolean is neither 'true' nor 'false'");
    assertError("1:x~", 0, "null must have no data, has 1 bytes");
    assertError("4:1:k,}", 6, "dictionary key has no value");
    assertError("8:1:1#1:k,}", 2, "dictionary key is not a byte string");
    // The element's length is checked against its container, not the whole input.
    assertError("4:5:ab]", 2, "length 5 runs past the end of the enclosing value"
        + " (1 bytes available)");
  }

  @Test
  void offsetsCountFromTheStartOfTheFrame() throws Exception {
    byte[] frame = bytes("T3:abc?");
    assertThatThrownBy(() -> CODEC.decode(frame, 1, frame.length))
        .isInstanceOf(TnetstringException.class)
        .hasMessage("invalid tnetstring at offset 6: unknown type byte 0x3f");
    byte[] ok = bytes("T1:a,");
    assertThat((byte[]) CODEC.decode(ok, 1, ok.length)).isEqualTo(bytes("a"));
  }

  @Test
  void depthIsLimited() throws Exception {
    Tnetstring shallow = Tnetstring.withLimits(1000, 2);
    assertThat(shallow.decode(bytes("3:0:]]"))).isEqualTo(List.of(List.of()));
    assertThatThrownBy(() -> shallow.decode(bytes("6:3:0:]]]")))
        .isInstanceOf(TnetstringException.class)
        .hasMessage("invalid tnetstring at offset 4: nesting deeper than the maximum of 2"
            + " (limit maxDepth)");

    String deep = "0:]";
    for (int i = 0; i < 2_000; i++) {
      deep = deep.length() + ":" + deep + "]";
    }
    byte[] deepBytes = bytes(deep);
    assertThatThrownBy(() -> CODEC.decode(deepBytes))
        .isInstanceOf(TnetstringException.class)
        .hasMessageContaining("nesting deeper than the maximum of " + Tnetstring.DEFAULT_MAX_DEPTH);
  }

  @Test
  void sizeIsLimited() throws Exception {
    Tnetstring small = Tnetstring.withLimits(10, 4);
    assertThat((byte[]) small.decode(bytes("6:abcdef,"))).hasSize(6);
    assertThatThrownBy(() -> small.decode(bytes("9:abcdefghi,")))
        .isInstanceOf(TnetstringException.class)
        .hasMessage("invalid tnetstring at offset 0: input of 12 bytes exceeds the maximum of 10"
            + " (limit maxBytes)");
    assertThatThrownBy(() -> Tnetstring.withLimits(2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes must be at least 3, was 2");
    assertThatThrownBy(() -> Tnetstring.withLimits(3, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDepth must be at least 1, was 0");
  }

  @Test
  void randomBytesOnlyEverFailWithTheCodecsException() {
    Random random = new Random(0x7e75);
    byte[] alphabet = bytes("0123456789:,#^!~}]-.etrufalsn");
    for (int i = 0; i < 50_000; i++) {
      byte[] in = new byte[random.nextInt(40)];
      for (int j = 0; j < in.length; j++) {
        in[j] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)]
            : (byte) random.nextInt(256);
      }
      check(in);
    }
  }

  @Test
  void mutationsOfValidInputOnlyEverFailWithTheCodecsException() throws Exception {
    Map<String, Object> seed = new LinkedHashMap<>();
    seed.put("channel", "test");
    seed.put("id", "1");
    seed.put("formats", Map.of("http-stream", Map.of("content", "hello\n"),
        "ws-message", Map.of("content-bin", new byte[] {0, 1, 2}), "list",
        List.of(1L, 2.5, true, false)));
    seed.put("no-seq", true);
    seed.put("n", null);
    byte[] valid = Tnetstring.encode(seed);
    Random random = new Random(0xbad);
    for (int i = 0; i < 50_000; i++) {
      byte[] in = mutate(valid, random);
      Object decoded = check(in);
      if (decoded != null) {
        // Anything that decodes encodes back to an equivalent value.
        Object again = CODEC.decode(Tnetstring.encode(decoded));
        assertThat(Tnetstring.encode(again)).isEqualTo(Tnetstring.encode(decoded));
      }
    }
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] in = valid.clone();
    switch (random.nextInt(4)) {
      case 0:
        in[random.nextInt(in.length)] = (byte) random.nextInt(256);
        return in;
      case 1:
        return Arrays.copyOf(in, random.nextInt(in.length));
      case 2:
        // A digit in some length prefix changes, so lengths disagree with their contents.
        List<Integer> digits = new ArrayList<>();
        for (int j = 0; j < in.length; j++) {
          if (in[j] >= '0' && in[j] <= '9') {
            digits.add(j);
          }
        }
        in[digits.get(random.nextInt(digits.size()))] = (byte) ('0' + random.nextInt(10));
        return in;
      default:
        byte[] longer = Arrays.copyOf(in, in.length + 1 + random.nextInt(4));
        longer[in.length] = (byte) random.nextInt(256);
        return longer;
    }
  }

  /** Decodes, returning the value, or null when the input was refused with the codec's error. */
  private static Object check(byte[] in) {
    try {
      Object value = CODEC.decode(in);
      return value == null ? "null" : value;
    } catch (TnetstringException e) {
      assertThat(e.offset()).isBetween(0, in.length);
      assertThat(e.getMessage()).startsWith("invalid tnetstring at offset ");
      return null;
    } catch (RuntimeException | StackOverflowError e) {
      fail("input " + Arrays.toString(in) + " threw " + e, e);
      return null;
    }
  }

  private static void assertError(String in, int offset, String detail) {
    assertThatThrownBy(() -> CODEC.decode(bytes(in)))
        .as(in)
        .isInstanceOf(TnetstringException.class)
        .hasMessage("invalid tnetstring at offset " + offset + ": " + detail)
        .extracting(e -> ((TnetstringException) e).offset()).isEqualTo(offset);
  }

  private static Object decode(String in) throws TnetstringException {
    return CODEC.decode(bytes(in));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
