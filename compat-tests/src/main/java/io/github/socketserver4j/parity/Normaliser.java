package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a side's raw transcript and what its clients saw into the result that is compared
 * (docs/parity.md, "What is compared"). Both sides go through the same code, so any difference
 * left is a difference in behaviour:
 *
 * <ul>
 *   <li>requests are named after the client that made them ({@code c0}, {@code c1}, ...), found by
 *       the client's port;
 *   <li>each request's hooks are listed in the order they ran, with {@code @worker} or {@code
 *       @control} when not on the serving thread, and {@code handle_error(Kind)};
 *   <li>{@code service_actions} counts only as "ran after this request" (the token {@code
 *       +service_actions} at the end of a request): idle calls depend on timing;
 *   <li>times become "(waited)" when longer than the scenario's threshold.
 * </ul>
 */
final class Normaliser {
  private static final Pattern ADDRESS = Pattern.compile("\\('127\\.0\\.0\\.1', (\\d+)\\)");

  private Normaliser() {}

  static ObjectNode normalise(Scenario sc, String serverClass, JsonNode start, JsonNode transcript,
      ClientRunner.Outcome clients) {
    ObjectNode r = Json.object();
    if ("construct".equals(start.path("event").asText())) {
      r.put("construct", start.path("result").asText());
      copy(start, r, "before_bind");
      copy(start, r, "after_close");
      return r;
    }
    r.put("construct", "ok");
    copy(start, r, "before_bind");
    Map<Integer, String> ports = clients.ports();
    Map<String, String> paths = clients.paths();

    ArrayNode serve = r.putArray("serve");
    for (JsonNode call : transcript.path("serve_calls")) {
      List<String> results = new ArrayList<>();
      call.path("results").forEach(x -> results.add(x.asText()));
      serve.add(call.path("call").asText() + ": " + String.join(",", results));
    }

    Map<String, List<String>> requests = new TreeMap<>();
    Set<String> afterService = new LinkedHashSet<>();
    List<String> acceptOrder = new ArrayList<>();
    List<String> serverHooks = new ArrayList<>();
    String lastServed = null;
    for (JsonNode e : transcript.path("events")) {
      String hook = e.path("hook").asText();
      String thread = e.path("thread").asText();
      String client = e.has("client") ? label(e.get("client"), ports, paths) : null;
      String token = hook;
      if (e.has("kind")) {
        token += "(" + e.get("kind").asText() + ")";
      }
      if (!thread.equals("serving")) {
        token += "@" + thread;
      }
      if (hook.equals("service_actions")) {
        if (lastServed != null) {
          afterService.add(lastServed);
          lastServed = null;
        }
        continue;
      }
      if (client == null) {
        serverHooks.add(token);
        if (thread.equals("serving")) {
          lastServed = null;
        }
        continue;
      }
      if (hook.equals("get_request")) {
        acceptOrder.add(client);
      }
      requests.computeIfAbsent(client, k -> new ArrayList<>()).add(token);
      if (thread.equals("serving")) {
        lastServed = client;
      }
    }
    if (Traced.forking(serverClass)) {
      forked(requests, r.putArray("forking_parent_close_request"));
    }
    afterService.forEach(c -> requests.get(c).add("+service_actions"));
    ObjectNode req = r.putObject("requests");
    requests.forEach((k, v) -> v.forEach(req.putArray(k)::add));
    if (!sc.parallel()) {
      ArrayNode order = r.putArray("accept_order");
      acceptOrder.forEach(order::add);
    }
    ArrayNode server = r.putArray("server_hooks");
    serverHooks.forEach(server::add);

    List<String> te = new ArrayList<>();
    transcript.path("thread_exceptions").forEach(x -> te.add(x.asText()));
    Collections.sort(te);
    ArrayNode teNode = r.putArray("thread_exceptions");
    te.forEach(teNode::add);

    ArrayNode lines = r.putArray("error_lines");
    for (JsonNode l : transcript.path("error_lines")) {
      lines.add(errorLine(l.asText(), ports, paths));
    }

    ArrayNode fin = r.putArray("final");
    for (JsonNode f : transcript.path("final")) {
      String t = f.path("seconds").asDouble() >= sc.timingThreshold() ? " (waited)" : "";
      fin.add(f.path("step").asText() + ": " + f.path("result").asText() + t);
    }
    int fd = transcript.path("fileno_after_close").asInt(0);
    r.put("fileno_after_close", fd == -1 ? "-1" : "not -1");
    copy(transcript, r, "socket_file_after_close");

    ObjectNode cl = r.putObject("clients");
    clients.records().forEach((k, v) -> v.forEach(cl.putArray(k)::add));
    return r;
  }

  private static void copy(JsonNode from, ObjectNode to, String field) {
    if (from != null && from.has(field)) {
      to.set(field, from.get(field));
    }
  }

  /**
   * A ForkingMixIn request's hooks: the parent's (serving thread) first, then the child's
   * (CPython's forked process, socketserver4j's request thread), each in their own order; the
   * order between two processes is not defined. The parent's {@code close_request} right after
   * {@code process_request} (CPython closes its copy of the connection after the fork) is taken
   * out into {@code forking_parent_close_request}, so the rest of the trace is compared as is.
   */
  private static void forked(Map<String, List<String>> requests, ArrayNode parentClose) {
    requests.forEach((client, tokens) -> {
      List<String> parent = new ArrayList<>();
      List<String> child = new ArrayList<>();
      for (String t : tokens) {
        (t.endsWith("@child") ? child : parent).add(t);
      }
      int p = parent.indexOf("process_request");
      if (p >= 0 && p + 1 < parent.size() && parent.get(p + 1).equals("close_request")) {
        parent.remove(p + 1);
        parentClose.add(client);
      }
      tokens.clear();
      tokens.addAll(parent);
      tokens.addAll(child);
    });
  }

  private static String label(JsonNode client, Map<Integer, String> ports, Map<String, String> paths) {
    if (client.isInt()) {
      String l = ports.get(client.asInt());
      return l != null ? l : "unknown client";
    }
    String s = client.asText();
    if (s.startsWith("#")) {
      return "c" + s.substring(1);
    }
    String l = paths.get(s);
    return l != null ? l : "unknown client";
  }

  /** From "Exception ..." on, with the client's address or path named after the client. */
  static String errorLine(String line, Map<Integer, String> ports, Map<String, String> paths) {
    int i = line.indexOf("Exception ");
    String text = i >= 0 ? line.substring(i) : line;
    for (Map.Entry<String, String> p : paths.entrySet()) {
      text = text.replace(p.getKey(), "<" + p.getValue() + " path>");
    }
    Matcher m = ADDRESS.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String l = ports.getOrDefault(Integer.parseInt(m.group(1)), "unknown client");
      m.appendReplacement(sb, Matcher.quoteReplacement("('127.0.0.1', <" + l + " port>)"));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * Checks the scenario's {@code expect} section against a result; returns the failures. Keys are
   * dotted result paths; a key naming a server class holds expectations for that class only.
   */
  static List<String> checkExpectations(Scenario sc, String serverClass, ObjectNode result) {
    List<String> failures = new ArrayList<>();
    JsonNode expect = sc.json().get("expect");
    if (expect == null) {
      return failures;
    }
    Map<String, JsonNode> wanted = new LinkedHashMap<>();
    expect.fields().forEachRemaining(f -> {
      if (!f.getKey().endsWith("Server")) {
        wanted.put(f.getKey(), f.getValue());
      }
    });
    JsonNode own = expect.get(serverClass);
    if (own != null) {
      own.fields().forEachRemaining(f -> wanted.put(f.getKey(), f.getValue()));
    }
    wanted.forEach((path, value) -> {
      JsonNode actual = at(result, path);
      if (!value.equals(actual)) {
        failures.add("expected " + path + " = " + Json.line(value) + ", got "
            + (actual == null ? "nothing" : Json.line(actual)));
      }
    });
    return failures;
  }

  /** The node at a dotted path ("requests.c0"), or null. */
  static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      if (n == null) {
        return null;
      }
      n = n.get(part);
    }
    return n;
  }
}
