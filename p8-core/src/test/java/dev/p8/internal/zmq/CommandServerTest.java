package dev.p8.internal.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.p8.internal.tnet.Tnetstring;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class CommandServerTest {

  private final ZContext peers = new ZContext(1);
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Item> published = new CopyOnWriteArrayList<>();
  private CommandServer server;
  private ZMQ.Socket req;

  private final CommandServer.Commands commands = new CommandServer.Commands() {
    @Override
    public List<String> conncheck(List<String> ids) {
      calls.add("conncheck " + ids);
      return ids.stream().filter(id -> id.startsWith("live")).toList();
    }

    @Override
    public Map<String, String> zmqUris() {
      return Map.of("command", "tcp://127.0.0.1:5563");
    }

    @Override
    public void recover() {
      calls.add("recover");
    }

    @Override
    public void refreshConnection(String cid) throws CommandServer.CommandException {
      if (cid.equals("gone")) {
        throw new CommandServer.CommandException("item-not-found");
      }
      calls.add("refresh cid " + cid);
    }

    @Override
    public void refreshChannel(String channel) {
      calls.add("refresh channel " + channel);
    }

    @Override
    public void publish(List<Item> items) {
      published.addAll(items);
    }
  };

  @BeforeEach
  void start() {
    server = new CommandServer("tcp://127.0.0.1:*", commands).start();
    req = peer(SocketType.REQ);
    req.connect(server.endpoint());
  }

  @AfterEach
  void stop() {
    server.close();
    peers.close();
  }

  @Test
  void conncheckAnswersTheIdsThatExist() {
    Map<String, Object> answer = call(request("1", "conncheck",
        Map.of("ids", List.of("live-1", "dead-2", "live-3"))));

    assertThat(answer.keySet()).containsExactly("id", "success", "value");
    assertThat(str(answer.get("id"))).isEqualTo("1");
    assertThat(answer.get("success")).isEqualTo(true);
    assertThat(strings(answer.get("value"))).containsExactly("live-1", "live-3");
  }

  @Test
  void getZmqUrisRecoverAndRefresh() {
    Map<String, Object> uris = call(request("a", "get-zmq-uris", null));
    assertThat(uris.get("success")).isEqualTo(true);
    assertThat(str(((Map<?, ?>) uris.get("value")).get("command")))
        .isEqualTo("tcp://127.0.0.1:5563");

    Map<String, Object> recovered = call(request("b", "recover", null));
    assertThat(recovered.get("success")).isEqualTo(true);
    assertThat(recovered).containsKey("value");
    assertThat(recovered.get("value")).isNull();

    assertThat(call(request(null, "refresh", Map.of("cid", "c1"))).get("success"))
        .isEqualTo(true);
    assertThat(call(request(null, "refresh", Map.of("channel", "ch"))).get("success"))
        .isEqualTo(true);
    assertThat(calls).containsExactly("recover", "refresh cid c1", "refresh channel ch");
  }

  @Test
  void failuresAnswerConditions() {
    assertCondition(request("x", "nope", null), "method-not-found");
    assertCondition(request("x", "refresh", null), "bad-request");
    assertCondition(request("x", "refresh", Map.of("cid", 5L)), "bad-request");
    assertCondition(request("x", "refresh", Map.of("cid", "gone")), "item-not-found");
    assertCondition(request("x", "conncheck", Map.of("ids", "live")), "bad-request");
    assertCondition(request("x", "conncheck", Map.of("ids", List.of(1L))), "bad-request");
    assertThat(calls).isEmpty();
  }

  @Test
  void publishValidatesEveryItemFirst() {
    Map<String, Object> good = Map.of("channel", "c",
        "formats", Map.of("http-stream", Map.of("content", "x")));
    Map<String, Object> bad = Map.of("channel", "c");

    Map<String, Object> refused = call(request("p", "publish",
        Map.of("items", List.of(good, bad))));
    assertThat(refused.get("success")).isEqualTo(false);
    assertThat(str(refused.get("condition"))).isEqualTo("bad-request");
    assertThat(str(refused.get("value"))).isEqualTo("Invalid format: item 1: no formats specified");
    assertThat(published).isEmpty();

    Map<String, Object> noItems = call(request("p", "publish", null));
    assertThat(str(noItems.get("value")))
        .isEqualTo("Invalid format: object does not contain 'items'");

    Map<String, Object> accepted = call(request("p", "publish",
        Map.of("items", List.of(good, good))));
    assertThat(accepted.get("success")).isEqualTo(true);
    assertThat(published).containsExactly(Item.stream("c", "x"), Item.stream("c", "x"));
  }

  @Test
  void invalidRequestsGetNoAnswerAndDisturbNothing() {
    ZMQ.Socket dealer = peer(SocketType.DEALER);
    dealer.connect(server.endpoint());
    dealer.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());

    dealer.sendMore(new byte[0]);
    dealer.send(bytes("garbage"));
    dealer.sendMore(new byte[0]);
    dealer.send(Tnetstring.encode(List.of()));
    dealer.sendMore(new byte[0]);
    dealer.send(Tnetstring.encode(Map.of("method", 1L)));
    dealer.send(Tnetstring.encode(request("no-delimiter", "recover", null)));
    dealer.sendMore(new byte[0]);
    dealer.send(Tnetstring.encode(request("ok", "recover", null)));

    assertThat(dealer.recv()).isEmpty();
    Map<String, Object> answer = decode(dealer.recv());
    assertThat(str(answer.get("id"))).isEqualTo("ok");
    assertThat(server.invalidCount()).isEqualTo(4);
    assertThat(calls).containsExactly("recover");
  }

  @Test
  void aBusySpecFailsStart() {
    CommandServer second = new CommandServer(server.endpoint(), commands);
    assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot bind command_spec " + server.endpoint());
    second.close();
  }

  private void assertCondition(Map<String, Object> request, String condition) {
    Map<String, Object> answer = call(request);
    assertThat(answer.get("success")).as("%s", request.get("method")).isEqualTo(false);
    assertThat(str(answer.get("condition"))).isEqualTo(condition);
  }

  private Map<String, Object> call(Map<String, Object> request) {
    req.setReceiveTimeOut((int) Awaits.DEADLINE.toMillis());
    req.send(Tnetstring.encode(request));
    byte[] answer = req.recv();
    assertThat(answer).as("answer to %s", request.get("method")).isNotNull();
    return decode(answer);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> decode(byte[] answer) {
    try {
      return (Map<String, Object>) Tnetstring.withDefaults().decode(answer);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Object> request(String id, String method, Map<String, ?> args) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (id != null) {
      out.put("id", id);
    }
    out.put("method", method);
    if (args != null) {
      out.put("args", args);
    }
    return out;
  }

  private ZMQ.Socket peer(SocketType type) {
    ZMQ.Socket socket = peers.createSocket(type);
    SocketThread.configure(socket);
    return socket;
  }

  private static List<String> strings(Object list) {
    return ((List<?>) list).stream().map(CommandServerTest::str).toList();
  }

  private static String str(Object bytes) {
    return new String((byte[]) bytes, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
