package dev.p8.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonPatchTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }

  /** RFC 6902 appendix A, with single quotes for double quotes. */
  static Stream<Arguments> rfc6902() {
    return Stream.of(
        Arguments.of("A.1", "{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]",
            "{'baz':'qux','foo':'bar'}"),
        Arguments.of("A.2", "{'foo':['bar','baz']}", "[{'op':'add','path':'/foo/1','value':'qux'}]",
            "{'foo':['bar','qux','baz']}"),
        Arguments.of("A.3", "{'baz':'qux','foo':'bar'}", "[{'op':'remove','path':'/baz'}]",
            "{'foo':'bar'}"),
        Arguments.of("A.4", "{'foo':['bar','qux','baz']}", "[{'op':'remove','path':'/foo/1'}]",
            "{'foo':['bar','baz']}"),
        Arguments.of("A.5", "{'baz':'qux','foo':'bar'}",
            "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}"),
        Arguments.of("A.6", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
            "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
            "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}"),
        Arguments.of("A.7", "{'foo':['all','grass','cows','eat']}",
            "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
            "{'foo':['all','cows','eat','grass']}"),
        Arguments.of("A.8", "{'baz':'qux','foo':['a',2,'c']}",
            "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
            "{'baz':'qux','foo':['a',2,'c']}"),
        Arguments.of("A.10", "{'foo':'bar'}",
            "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
            "{'foo':'bar','child':{'grandchild':{}}}"),
        Arguments.of("A.11", "{'foo':'bar'}",
            "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}"),
        Arguments.of("A.14", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]",
            "{'/':9,'~1':10}"),
        Arguments.of("A.16", "{'foo':['bar']}",
            "[{'op':'add','path':'/foo/-','value':['abc','def']}]",
            "{'foo':['bar',['abc','def']]}"),
        Arguments.of("copy", "{'a':{'b':[1]}}", "[{'op':'copy','from':'/a','path':'/c'}]",
            "{'a':{'b':[1]},'c':{'b':[1]}}"),
        Arguments.of("replace root", "{'a':1}", "[{'op':'replace','path':'','value':[1]}]",
            "[1]"),
        Arguments.of("add root", "{'a':1}", "[{'op':'add','path':'','value':{'b':2}}]",
            "{'b':2}"),
        Arguments.of("replace array element", "[1,2,3]",
            "[{'op':'replace','path':'/1','value':9}]", "[1,9,3]"),
        Arguments.of("add replaces a member", "{'a':1}", "[{'op':'add','path':'/a','value':2}]",
            "{'a':2}"),
        Arguments.of("move to itself", "{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]",
            "{'a':1}"),
        Arguments.of("test numbers by value", "{'a':1,'b':{'x':1,'y':[true,null]}}",
            "[{'op':'test','path':'/a','value':1.0},"
                + "{'op':'test','path':'/b','value':{'y':[true,null],'x':1}}]",
            "{'a':1,'b':{'x':1,'y':[true,null]}}"),
        Arguments.of("empty patch", "{'a':1}", "[]", "{'a':1}"),
        Arguments.of("empty key", "{'':{'':1}}", "[{'op':'replace','path':'//','value':2}]",
            "{'':{'':2}}"),
        Arguments.of("numeric key in object", "{'0':1}", "[{'op':'remove','path':'/0'}]", "{}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void rfc6902(String name, String doc, String patch, String expected) {
    JsonNode original = json(doc);
    JsonNode out = JsonPatch.apply(original, json(patch));

    assertThat(out).isEqualTo(json(expected));
    assertThat(original).as("the input is not changed").isEqualTo(json(doc));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("A.9", "{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]",
            "operation 0 (test \"/baz\"): test failed: the value there is not the one given"),
        Arguments.of("A.12", "{'foo':'bar'}", "[{'op':'add','path':'/baz/bat','value':'qux'}]",
            "operation 0 (add \"/baz/bat\"): the path location does not exist (no \"baz\" in an"
                + " object at depth 0)"),
        Arguments.of("A.15", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]",
            "operation 0 (test \"/~01\"): test failed: the value there is not the one given"),
        Arguments.of("later op", "{'a':1}",
            "[{'op':'remove','path':'/a'},{'op':'remove','path':'/a'}]",
            "operation 1 (remove \"/a\"): the target location does not exist"),
        Arguments.of("not an array", "{}", "{'op':'add'}",
            "a JSON Patch must be an array of operations, not an object"),
        Arguments.of("op not an object", "{}", "[1]",
            "operation 0 must be an object, not a number"),
        Arguments.of("no op", "{}", "[{'path':'/a'}]",
            "operation 0 (?): 'op' must be a string, not nothing"),
        Arguments.of("no path", "{}", "[{'op':'add','value':1}]",
            "operation 0 (add): 'path' must be a string, not nothing"),
        Arguments.of("path not a string", "{}", "[{'op':'add','path':1,'value':1}]",
            "operation 0 (add): 'path' must be a string, not a number"),
        Arguments.of("unknown op", "{}", "[{'op':'merge','path':''}]",
            "operation 0 (merge \"\"): unknown op; expected add, remove, replace, move, copy or"
                + " test"),
        Arguments.of("no value", "{}", "[{'op':'add','path':'/a'}]",
            "operation 0 (add \"/a\"): 'value' is missing"),
        Arguments.of("null value is a value", "{}", "[{'op':'test','path':'/a','value':null}]",
            "operation 0 (test \"/a\"): the path location does not exist (no \"a\" in an object"
                + " at depth 0)"),
        Arguments.of("no from", "{'a':1}", "[{'op':'move','path':'/b'}]",
            "operation 0 (move): 'from' must be a string, not nothing"),
        Arguments.of("bad pointer", "{}", "[{'op':'add','path':'a','value':1}]",
            "operation 0 (add \"a\"): 'path' is not a JSON Pointer: it must be empty or start"
                + " with '/'"),
        Arguments.of("bad escape", "{}", "[{'op':'add','path':'/a~2','value':1}]",
            "operation 0 (add \"/a~2\"): 'path' has '~' at offset 2 not followed by 0 or 1"),
        Arguments.of("escape at end", "{}", "[{'op':'add','path':'/a~','value':1}]",
            "operation 0 (add \"/a~\"): 'path' has '~' at offset 2 not followed by 0 or 1"),
        Arguments.of("index past end", "[1]", "[{'op':'add','path':'/2','value':1}]",
            "operation 0 (add \"/2\"): array index 2 is out of bounds (at most 1)"),
        Arguments.of("leading zero", "[1,2]", "[{'op':'add','path':'/01','value':1}]",
            "operation 0 (add \"/01\"): array index \"01\" is not a number without leading"
                + " zeros, or '-'"),
        Arguments.of("negative", "[1,2]", "[{'op':'remove','path':'/-1'}]",
            "operation 0 (remove \"/-1\"): array index \"-1\" is not a number without leading"
                + " zeros, or '-'"),
        Arguments.of("remove dash", "[1]", "[{'op':'remove','path':'/-'}]",
            "operation 0 (remove \"/-\"): array index \"-\" is not a number without leading"
                + " zeros, or '-'"),
        Arguments.of("huge index", "[1]", "[{'op':'add','path':'/99999999999','value':1}]",
            "operation 0 (add \"/99999999999\"): array index \"99999999999\" is not a number"
                + " without leading zeros, or '-'"),
        Arguments.of("remove past end", "[1]", "[{'op':'remove','path':'/1'}]",
            "operation 0 (remove \"/1\"): array index 1 is out of bounds (at most 0)"),
        Arguments.of("replace missing", "{}", "[{'op':'replace','path':'/a','value':1}]",
            "operation 0 (replace \"/a\"): the path location does not exist (no \"a\" in an"
                + " object at depth 0)"),
        Arguments.of("remove root", "{}", "[{'op':'remove','path':''}]",
            "operation 0 (remove \"\"): cannot remove the whole document"),
        Arguments.of("move into child", "{'a':{'b':1}}",
            "[{'op':'move','from':'/a','path':'/a/c'}]",
            "operation 0 (move \"/a/c\"): cannot move a value into itself (from \"/a\")"),
        Arguments.of("copy missing", "{}", "[{'op':'copy','from':'/x','path':'/y'}]",
            "operation 0 (copy \"/y\"): the from location does not exist (no \"x\" in an object"
                + " at depth 0)"),
        Arguments.of("through a scalar", "{'a':1}", "[{'op':'add','path':'/a/b','value':1}]",
            "operation 0 (add \"/a/b\"): the parent of the target is a number, not an object or"
                + " array"),
        Arguments.of("control chars in path", "{}",
            "[{'op':'remove','path':'/a\\nb'}]",
            "operation 0 (remove \"/a\\x0ab\"): the target location does not exist"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void failures(String name, String doc, String patch, String message) {
    JsonNode original = json(doc);
    assertThatThrownBy(() -> JsonPatch.apply(original, json(patch)))
        .isInstanceOf(JsonPatchException.class).hasMessage(message);
    assertThat(original).isEqualTo(json(doc));
  }

  @Test
  void rfc6901PointerExamples() {
    JsonNode doc = json("{'foo':['bar','baz'],'':0,'a/b':1,'c%d':2,'e^f':3,'g|h':4,"
        + "'i\\\\j':5,'k\\'l':6,' ':7,'m~n':8}");
    String[][] cases = {
        {"", doc.toString()}, {"/foo", "['bar','baz']"}, {"/foo/0", "'bar'"}, {"/", "0"},
        {"/a~1b", "1"}, {"/c%d", "2"}, {"/e^f", "3"}, {"/g|h", "4"}, {"/i\\j", "5"},
        {"/k\"l", "6"}, {"/ ", "7"}, {"/m~0n", "8"},
    };
    for (String[] c : cases) {
      ArrayNode patch = JsonNodeFactory.instance.arrayNode();
      ObjectNode op = patch.addObject().put("op", "test").put("path", c[0]);
      op.set("value", c[0].isEmpty() ? doc : json(c[1]));
      assertThat(JsonPatch.apply(doc, patch)).as(c[0]).isEqualTo(doc);
    }
  }

  @Test
  void copyingCannotBlowUpTheDocument() {
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 40; i++) {
      patch.addObject().put("op", "copy").put("from", "").put("path", "/" + i);
    }
    assertThatThrownBy(() -> JsonPatch.apply(json("{'a':[1,2,3]}"), patch))
        .isInstanceOf(JsonPatchException.class)
        .hasMessageEndingWith("the patched document would hold more than 1000000 JSON values"
            + " (maxNodes)");
    assertThatThrownBy(() -> JsonPatch.apply(json("[]"),
        json("[{'op':'add','path':'/-','value':[1,2]}]"), 2))
        .hasMessage("operation 0 (add \"/-\"): the patched document would hold more than 2 JSON"
            + " values (maxNodes)");
  }

  @Test
  void patchBodyKeepsTheTrailingNewline() {
    JsonNode patch = json("[{'op':'replace','path':'/n','value':2}]");
    assertThat(body(JsonPatch.patchBody(bytes("{\"n\": 1}\n"), patch))).isEqualTo("{\"n\":2}\n");
    assertThat(body(JsonPatch.patchBody(bytes("{\"n\": 1}\r\n"), patch)))
        .isEqualTo("{\"n\":2}\r\n");
    assertThat(body(JsonPatch.patchBody(bytes("{\"n\": 1}"), patch))).isEqualTo("{\"n\":2}");
    assertThat(body(JsonPatch.patchBody(bytes("[1]\n"),
        json("[{'op':'add','path':'/-','value':'x'}]")))).isEqualTo("[1,\"x\"]\n");
  }

  @Test
  void patchBodyRefusesBodiesThatAreNotAJsonContainer() {
    JsonNode patch = json("[]");
    assertThatThrownBy(() -> JsonPatch.patchBody(bytes("hello"), patch))
        .isInstanceOf(JsonPatchException.class)
        .hasMessageStartingWith("the held response body is not JSON, so body-patch cannot"
            + " apply: ");
    assertThatThrownBy(() -> JsonPatch.patchBody(bytes("\"s\"\n"), patch))
        .hasMessage("the held response body is a string, not a JSON object or array, so"
            + " body-patch cannot apply");
    assertThatThrownBy(() -> JsonPatch.patchBody(bytes(""), patch))
        .hasMessage("the held response body is nothing, not a JSON object or array, so"
            + " body-patch cannot apply");
    assertThatThrownBy(() -> JsonPatch.patchBody(bytes("{}"),
        json("[{'op':'replace','path':'','value':5}]")))
        .hasMessage("body-patch turned the body into a number; it must stay a JSON object or"
            + " array");
  }

  @Test
  void garbagePatchesEitherApplyOrFailWithTheOneException() {
    Random random = new Random(6902);
    String[] ops = {"add", "remove", "replace", "move", "copy", "test", "x"};
    String[] paths = {"", "/", "/a", "/a/0", "/a/-", "/b", "/a/1/c", "/~", "/~1", "a", "/a/01"};
    JsonNode doc = json("{'a':[1,{'c':2}],'b':{'':null}}");
    for (int i = 0; i < 20_000; i++) {
      ArrayNode patch = JsonNodeFactory.instance.arrayNode();
      int n = random.nextInt(4);
      for (int j = 0; j < n; j++) {
        ObjectNode op = patch.addObject();
        if (random.nextInt(10) > 0) {
          op.put("op", ops[random.nextInt(ops.length)]);
        }
        if (random.nextInt(10) > 0) {
          op.put("path", paths[random.nextInt(paths.length)]);
        }
        if (random.nextBoolean()) {
          op.put("from", paths[random.nextInt(paths.length)]);
        }
        if (random.nextBoolean()) {
          op.set("value", random.nextBoolean() ? doc : JsonNodeFactory.instance.numberNode(1));
        }
      }
      try {
        assertThat(JsonPatch.apply(doc, patch)).isNotNull();
      } catch (JsonPatchException e) {
        assertThat(e.getMessage()).doesNotContain("\n");
      }
    }
    assertThat(doc).isEqualTo(json("{'a':[1,{'c':2}],'b':{'':null}}"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String body(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
