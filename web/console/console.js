// virga's web console: read-only views over the console API
// (/_virga/console/api/). Every value from the API reaches the page as
// text (textContent, text nodes): nothing it returns is parsed as HTML.
"use strict";

const API = "api/";

// token is virga's console token when virga checks credentials: it comes
// once in the page's URL (?token=, from virga's log), is kept for this
// tab, and leaves the address bar.
const token = (() => {
  const u = new URL(location.href);
  const t = u.searchParams.get("token");
  if (t) {
    sessionStorage.setItem("virga-console-token", t);
    u.searchParams.delete("token");
    history.replaceState(null, "", u.pathname + u.search + u.hash);
    return t;
  }
  return sessionStorage.getItem("virga-console-token") || "";
})();

// el makes an element; strings among children become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "onclick" || k === "onchange") e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// link is an in-console link to a view with query parameters.
function link(text, view, params) {
  return el("a", { href: "#/" + view + (params ? "?" + new URLSearchParams(params) : "") }, text);
}

async function api(path, params) {
  const q = params ? "?" + new URLSearchParams(params) : "";
  const headers = { Accept: "application/json" };
  if (token) headers["X-Virga-Console-Token"] = token;
  const r = await fetch(API + path + q, { headers });
  const body = await r.json().catch(() => ({ error: { code: String(r.status), message: r.statusText } }));
  if (!r.ok) {
    const e = body.error || {};
    throw new Error((e.code ? e.code + ": " : "") + (e.message || r.status));
  }
  return body;
}

// time formats an AWS timestamp: epoch seconds, epoch milliseconds
// (CloudWatch Logs), or an ISO 8601 string.
function time(v) {
  if (v === undefined || v === null || v === "") return "";
  let d;
  if (typeof v === "number") d = new Date(v > 1e11 ? v : v * 1000);
  else d = new Date(v);
  return isNaN(d) ? String(v) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function table(cols, rows, empty) {
  if (!rows || rows.length === 0) return el("p", { class: "muted" }, empty || "None.");
  return el("table", {},
    el("thead", {}, el("tr", {}, cols.map(c => el("th", {}, c[0])))),
    el("tbody", {}, rows.map(r => el("tr", {}, cols.map(c => {
      const v = c[1](r);
      return el("td", { class: c[2] }, v === undefined ? "" : v);
    })))));
}

function json(v) { return el("pre", {}, JSON.stringify(v, null, 2)); }

function lastPart(arn) { return String(arn || "").split(/[:/]/).pop(); }

// attr renders a DynamoDB AttributeValue as text.
function attr(v) {
  if (!v || typeof v !== "object") return "";
  const [t, x] = Object.entries(v)[0] || [];
  switch (t) {
    case "S": case "N": return String(x);
    case "BOOL": return String(x);
    case "NULL": return "null";
    case "B": return "<binary " + String(x).length + " b64>";
    case "SS": case "NS": return "{" + x.join(", ") + "}";
    case "BS": return "{" + x.length + " binary}";
    case "L": return "[" + x.map(attr).join(", ") + "]";
    case "M": return "{" + Object.entries(x).map(([k, y]) => k + ": " + attr(y)).join(", ") + "}";
  }
  return JSON.stringify(v);
}

const views = {};
let shown = 0; // how many views render has begun
const nav = [
  ["", "Overview"], ["lambda", "Lambda"], ["dynamodb", "DynamoDB"], ["sqs", "SQS"], ["sns", "SNS"],
  ["events", "EventBridge"], ["states", "Step Functions"], ["cloudformation", "CloudFormation"],
  ["logs", "CloudWatch Logs"], ["xray", "X-Ray"], ["ecs", "ECS"], ["elbv2", "Load balancers"],
];

views[""] = async () => {
  const o = await api("overview");
  const rows = [];
  for (const s of o.services) for (const c of s.counts) rows.push(Object.assign({ service: s.service }, c));
  return [el("h1", {}, "Overview"),
    table([["Service", r => r.service], ["Resources", r => link(r.kind, r.view)],
      ["Count", r => r.error ? el("span", { class: "bad", title: r.error }, "error") : r.count + (r.more ? "+" : ""), "num"]], rows)];
};

views.lambda = async () => {
  const fs = (await api("lambda/functions")).items;
  return [el("h1", {}, "Lambda functions"),
    table([["Name", f => link(f.FunctionName, "lambda/function", { name: f.FunctionName })],
      ["Runtime", f => f.Runtime || f.PackageType], ["Memory (MB)", f => f.MemorySize, "num"],
      ["Timeout (s)", f => f.Timeout, "num"], ["Last modified", f => f.LastModified]], fs, "No functions.")];
};

views["lambda/function"] = async q => {
  const v = await api("lambda/function", { name: q.get("name") });
  const c = v.function.Configuration || {};
  return [el("div", { class: "crumbs" }, link("Lambda", "lambda"), " / ", c.FunctionName),
    el("h1", {}, c.FunctionName),
    el("h2", {}, "Recent invocations"),
    table([["Ended", i => time(i.timestamp)], ["Request id", i => link(i.requestId, "logs/tail", { group: v.logGroup, stream: i.logStream })],
      ["Duration (ms)", i => i.durationMs.toFixed(2), "num"], ["Billed (ms)", i => i.billedDurationMs, "num"],
      ["Init (ms)", i => i.initDurationMs ? i.initDurationMs.toFixed(2) : "", "num"],
      ["Memory used (MB)", i => i.maxMemoryUsedMB + " / " + i.memorySizeMB, "num"],
      ["Status", i => i.status ? el("span", { class: i.status === "success" ? "ok" : "bad" }, i.status) : ""]],
      v.invocations, "No invocations in the last 24 hours."),
    el("h2", {}, "Log streams of ", link(v.logGroup, "logs/group", { group: v.logGroup })),
    table([["Stream", s => link(s.logStreamName, "logs/tail", { group: v.logGroup, stream: s.logStreamName })],
      ["Last event", s => time(s.lastEventTimestamp)]], v.logStreams, "No logs yet."),
    el("h2", {}, "Configuration"), json(c),
    v.function.Tags ? [el("h2", {}, "Tags"), json(v.function.Tags)] : null];
};

views.dynamodb = async () => {
  const ts = (await api("dynamodb/tables")).items;
  return [el("h1", {}, "DynamoDB tables"),
    table([["Table", n => link(n, "dynamodb/table", { name: n })]], ts, "No tables.")];
};

views["dynamodb/table"] = async q => {
  const name = q.get("name");
  const d = (await api("dynamodb/table", { name })).Table || {};
  const items = el("div", {});
  const starts = [""];
  async function page(i) {
    const p = await api("dynamodb/items", Object.assign({ name, limit: 25 }, starts[i] ? { start: starts[i] } : {}));
    const cols = [];
    for (const k of d.KeySchema || []) cols.push(k.AttributeName);
    for (const it of p.items) for (const k of Object.keys(it)) if (!cols.includes(k)) cols.push(k);
    if (p.next) starts[i + 1] = p.next;
    items.replaceChildren(
      table(cols.map(k => [k, it => attr(it[k])]), p.items, "No items."),
      el("div", { class: "bar" },
        el("button", { onclick: () => page(i - 1), disabled: i === 0 ? "" : null }, "← Previous"),
        el("span", { class: "muted" }, "page " + (i + 1) + ", " + p.count + " items"),
        el("button", { onclick: () => page(i + 1), disabled: p.next ? null : "" }, "Next →")));
  }
  await page(0);
  return [el("div", { class: "crumbs" }, link("DynamoDB", "dynamodb"), " / ", name),
    el("h1", {}, name),
    el("p", {}, "Status ", d.TableStatus, " · ", String(d.ItemCount ?? 0), " items · key ",
      (d.KeySchema || []).map(k => k.AttributeName + " (" + k.KeyType + ")").join(", ")),
    el("h2", {}, "Items (Scan)"), items,
    el("h2", {}, "Description"), json(d)];
};

views.sqs = async () => {
  const qs = (await api("sqs/queues")).items;
  const a = (q, k) => (q.attributes || {})[k];
  return [el("h1", {}, "SQS queues"),
    el("p", { class: "muted" }, "Counts only: looking at a message would receive it and hide it from its consumers."),
    table([["Queue", q => lastPart(q.queueUrl)], ["Visible", q => a(q, "ApproximateNumberOfMessages"), "num"],
      ["In flight", q => a(q, "ApproximateNumberOfMessagesNotVisible"), "num"],
      ["Delayed", q => a(q, "ApproximateNumberOfMessagesDelayed"), "num"],
      ["Visibility timeout (s)", q => a(q, "VisibilityTimeout"), "num"],
      ["Dead-letter", q => a(q, "RedrivePolicy") ? lastPart(JSON.parse(a(q, "RedrivePolicy")).deadLetterTargetArn) : ""],
      ["URL", q => q.queueUrl]], qs, "No queues.")];
};

// truncatedNote says that a view stopped at its bound of 1,000 entries.
const truncatedNote = v => v.truncated ? el("p", { class: "muted" }, "Only the first 1,000 entries are shown.") : null;

views.sns = async () => {
  const v = await api("sns/topics"), ts = v.items;
  return [el("h1", {}, "SNS topics"), truncatedNote(v), ts.length ? null : el("p", { class: "muted" }, "No topics."),
    ts.map(t => [el("h2", {}, lastPart(t.topicArn)),
      table([["Protocol", s => s.Protocol], ["Endpoint", s => s.Endpoint], ["Subscription", s => s.SubscriptionArn]],
        t.subscriptions, "No subscriptions.")])];
};

views.events = async () => {
  const v = await api("events/rules"), bs = v.items;
  return [el("h1", {}, "EventBridge rules"), truncatedNote(v),
    bs.map(b => [el("h2", {}, "Bus " + b.name),
      table([["Rule", r => r.rule.Name], ["State", r => r.rule.State],
        ["Pattern or schedule", r => r.rule.ScheduleExpression || r.rule.EventPattern],
        ["Targets", r => r.targets.map(t => t.Id + " → " + t.Arn).join("\n")]], b.rules, "No rules.")])];
};

views.states = async () => {
  const ms = (await api("states/machines")).items;
  return [el("h1", {}, "Step Functions"), ms.length ? null : el("p", { class: "muted" }, "No state machines."),
    ms.map(m => [el("h2", {}, m.stateMachine.name),
      table([["Execution", x => link(x.name, "states/execution", { arn: x.executionArn })], ["Status", x => x.status],
        ["Started", x => time(x.startDate)], ["Stopped", x => time(x.stopDate)]], m.executions, "No executions.")])];
};

views["states/execution"] = async q => {
  const v = await api("states/execution", { arn: q.get("arn") });
  const x = v.execution;
  return [el("div", { class: "crumbs" }, link("Step Functions", "states"), " / ", x.name),
    el("h1", {}, x.name), el("p", {}, "Status ", x.status, " · started ", time(x.startDate), x.stopDate ? " · stopped " + time(x.stopDate) : ""),
    el("h2", {}, "History"),
    table([["#", e => e.id, "num"], ["Time", e => time(e.timestamp)], ["Type", e => e.type],
      ["Details", e => { const d = Object.entries(e).find(([k]) => k.endsWith("EventDetails")); return d ? JSON.stringify(d[1]) : ""; }]], v.events),
    el("h2", {}, "Input"), el("pre", {}, x.input || ""), x.output ? [el("h2", {}, "Output"), el("pre", {}, x.output)] : null];
};

views.cloudformation = async () => {
  const ss = (await api("cloudformation/stacks")).items;
  return [el("h1", {}, "CloudFormation stacks"),
    table([["Stack", s => link(s.StackName, "cloudformation/stack", { name: s.StackName })], ["Status", s => s.StackStatus],
      ["Created", s => time(s.CreationTime)], ["Updated", s => time(s.LastUpdatedTime)]], ss, "No stacks.")];
};

views["cloudformation/stack"] = async q => {
  const v = await api("cloudformation/stack", { name: q.get("name") });
  const s = v.stack;
  return [el("div", { class: "crumbs" }, link("CloudFormation", "cloudformation"), " / ", s.StackName),
    el("h1", {}, s.StackName), el("p", {}, s.StackStatus, s.StackStatusReason ? " · " + s.StackStatusReason : ""),
    el("h2", {}, "Outputs"), table([["Key", o => o.OutputKey], ["Value", o => o.OutputValue], ["Export", o => o.ExportName]], s.Outputs),
    el("h2", {}, "Resources"),
    table([["Logical id", r => r.LogicalResourceId], ["Type", r => r.ResourceType], ["Physical id", r => r.PhysicalResourceId],
      ["Status", r => r.ResourceStatus]], v.resources),
    el("h2", {}, "Events"),
    table([["Time", e => time(e.Timestamp)], ["Logical id", e => e.LogicalResourceId], ["Status", e => e.ResourceStatus],
      ["Reason", e => e.ResourceStatusReason]], v.events)];
};

views.logs = async () => {
  const gs = (await api("logs/groups")).items;
  return [el("h1", {}, "CloudWatch Logs"),
    table([["Log group", g => link(g.logGroupName, "logs/group", { group: g.logGroupName })],
      ["Stored bytes", g => g.storedBytes, "num"], ["Retention (days)", g => g.retentionInDays, "num"],
      ["Created", g => time(g.creationTime)]], gs, "No log groups.")];
};

views["logs/group"] = async q => {
  const group = q.get("group");
  const ss = (await api("logs/streams", { group })).items;
  return [el("div", { class: "crumbs" }, link("CloudWatch Logs", "logs"), " / ", group), el("h1", {}, group),
    table([["Stream", s => link(s.logStreamName, "logs/tail", { group, stream: s.logStreamName })],
      ["Last event", s => time(s.lastEventTimestamp)], ["Created", s => time(s.creationTime)]], ss, "No streams.")];
};

// The tail view polls for events written after the last page, with
// GetLogEvents' forward token, while it is shown: render counts the
// views it has shown, and a poll of an earlier one stops.
views["logs/tail"] = async q => {
  const group = q.get("group"), stream = q.get("stream");
  const out = el("div", { class: "log" });
  const status = el("span", { class: "muted" });
  let token = "", follow = true, timer = 0;
  const mine = shown;
  async function poll() {
    clearTimeout(timer);
    if (shown !== mine) return;
    try {
      const p = await api("logs/events", Object.assign({ group, stream }, token ? { token } : {}));
      const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      for (const e of p.events) out.appendChild(el("div", {}, el("span", { class: "t" }, time(e.timestamp)), e.message));
      if (atEnd) out.scrollTop = out.scrollHeight;
      token = p.next || token;
      status.textContent = "updated " + new Date().toLocaleTimeString();
    } catch (e) { status.textContent = e.message; }
    if (follow && shown === mine) timer = setTimeout(poll, 2000);
  }
  const toggle = el("button", { onclick: () => { follow = !follow; toggle.textContent = follow ? "Pause" : "Follow"; if (follow) poll(); } }, "Pause");
  await poll();
  return [el("div", { class: "crumbs" }, link("CloudWatch Logs", "logs"), " / ", link(group, "logs/group", { group }), " / ", stream),
    el("h1", {}, stream), el("div", { class: "bar" }, toggle, status), out];
};

views.xray = async q => {
  const minutes = q.get("minutes") || "60";
  const ts = (await api("xray/traces", { minutes })).items;
  const pick = el("select", { onchange: e => { location.hash = "#/xray?minutes=" + e.target.value; } },
    [["5", "5 minutes"], ["60", "1 hour"], ["360", "6 hours"], ["1440", "24 hours"]].map(([v, t]) => {
      const o = el("option", { value: v }, t); if (v === minutes) o.selected = true; return o;
    }));
  return [el("h1", {}, "X-Ray traces"), el("div", { class: "bar" }, "Last ", pick),
    table([["Trace", t => link(t.Id, "xray/trace", { id: t.Id })], ["Entry point", t => (t.EntryPoint || {}).Name],
      ["Duration (s)", t => t.Duration, "num"], ["Response", t => t.ResponseTime, "num"],
      ["Status", t => t.HasFault ? el("span", { class: "bad" }, "fault") : t.HasError ? el("span", { class: "bad" }, "error") : el("span", { class: "ok" }, "ok")],
      // A trace id's second part is its start, in epoch seconds (hex).
      ["Started", t => time(t.StartTime || parseInt(String(t.Id).split("-")[1], 16) || "")]], ts, "No traces in this window.")];
};

views["xray/trace"] = async q => {
  const v = await api("xray/trace", { id: q.get("id") });
  const total = Math.max(v.end - v.start, 1e-6);
  const rows = v.spans.map(s => {
    const end = s.end || v.end;
    const bar = el("div", { class: "seg" + (s.fault ? " fault" : s.error || s.throttle ? " err" : ""), title: s.name });
    bar.style.left = ((s.start - v.start) / total * 100) + "%";
    bar.style.width = ((end - s.start) / total * 100) + "%";
    const name = el("div", { class: "name", title: s.name }, s.name + (s.origin ? " (" + s.origin + ")" : ""));
    name.style.paddingLeft = (8 + s.depth * 14) + "px";
    return el("div", { class: "span" }, name, el("div", { class: "track" }, bar),
      el("div", { class: "dur" }, s.inProgress ? "in progress" : ((end - s.start) * 1000).toFixed(1) + " ms"));
  });
  return [el("div", { class: "crumbs" }, link("X-Ray", "xray"), " / ", v.id), el("h1", {}, v.id),
    el("p", {}, time(v.start), " · ", ((v.end - v.start) * 1000).toFixed(1), " ms"),
    rows.length ? el("div", { class: "timeline" }, rows) : el("p", { class: "muted" }, "No segments.")];
};

views.ecs = async () => {
  const cs = (await api("ecs/clusters")).items;
  return [el("h1", {}, "ECS clusters"),
    table([["Cluster", c => link(c.clusterName, "ecs/cluster", { name: c.clusterName })], ["Status", c => c.status],
      ["Services", c => c.activeServicesCount, "num"], ["Running tasks", c => c.runningTasksCount, "num"],
      ["Pending tasks", c => c.pendingTasksCount, "num"]], cs, "No clusters.")];
};

views["ecs/cluster"] = async q => {
  const v = await api("ecs/cluster", { name: q.get("name") });
  return [el("div", { class: "crumbs" }, link("ECS", "ecs"), " / ", v.cluster.clusterName), el("h1", {}, v.cluster.clusterName),
    el("h2", {}, "Services"),
    table([["Service", s => s.serviceName], ["Status", s => s.status], ["Desired", s => s.desiredCount, "num"],
      ["Running", s => s.runningCount, "num"], ["Pending", s => s.pendingCount, "num"], ["Task definition", s => lastPart(s.taskDefinition)]], v.services),
    el("h2", {}, "Tasks"),
    table([["Task", t => lastPart(t.taskArn)], ["Last status", t => t.lastStatus], ["Desired", t => t.desiredStatus],
      ["Task definition", t => lastPart(t.taskDefinitionArn)], ["Started", t => time(t.startedAt)], ["Stopped reason", t => t.stoppedReason]], v.tasks)];
};

views.elbv2 = async () => {
  const v = await api("elbv2/balancers");
  return [el("h1", {}, "Load balancers"), v.loadBalancers.length ? null : el("p", { class: "muted" }, "No load balancers."),
    v.loadBalancers.map(b => [el("h2", {}, b.loadBalancer.LoadBalancerName + " (" + b.loadBalancer.Type + ", " + (b.loadBalancer.State || {}).Code + ")"),
      el("p", { class: "muted" }, b.loadBalancer.DNSName),
      table([["Listener", l => l.listener.Protocol + ":" + l.listener.Port],
        ["Rules", l => l.rules.map(r => r.Priority + ": " + (r.Conditions || []).map(c => c.Field + "=" + (c.Values || []).join("|")).join(" & ") +
          " → " + (r.Actions || []).map(a => a.Type + (a.TargetGroupArn ? " " + lastPart(a.TargetGroupArn) : "")).join(", ")).join("\n")]], b.listeners, "No listeners.")]),
    el("h2", {}, "Target groups"),
    v.targetGroups.map(g => [el("h2", {}, g.targetGroup.TargetGroupName + " (" + g.targetGroup.Protocol + ":" + g.targetGroup.Port + ")"),
      table([["Target", t => t.Target.Id + ":" + t.Target.Port], ["Health", t => (t.TargetHealth || {}).State],
        ["Reason", t => (t.TargetHealth || {}).Description]], g.targets, "No targets.")])];
};

async function render() {
  const me = ++shown;
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const main = document.getElementById("main");
  const view = views[path];
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("on", a.dataset.view === path.split("/")[0]);
  if (!view) { main.replaceChildren(el("p", { class: "error" }, "No such view: " + path)); return; }
  // A view that answers after the reader has moved on is dropped.
  try {
    const nodes = [await view(new URLSearchParams(query || ""))].flat(Infinity).filter(Boolean);
    if (me === shown) main.replaceChildren(...nodes);
  } catch (e) {
    if (me === shown) main.replaceChildren(el("p", { class: "error" }, e.message));
  }
}

document.getElementById("nav").replaceChildren(...nav.map(([v, t]) => {
  const a = el("a", { href: "#/" + v }, t); a.dataset.view = v; return a;
}));
window.addEventListener("hashchange", render);
render();
