import Mustache

/// The control room's pages as Mustache templates: `{{x}}` is HTML-escaped by Mustache, and
/// nothing is rendered with the unescaped `{{{x}}}` form except the report page, whose HTML the
/// report renderer escapes itself.
enum PageTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [(String, String)] = [
        ("header", header), ("footer", footer), ("login", login), ("alerts", alerts), ("alert", alert),
        ("reports", reports),
        ("nodes", nodes),
        ("deployments", deployments), ("report", report), ("audit", audit), ("message", message),
        ("watchlists", watchlists),
        ("watchlist", watchlist), ("field", field), ("fieldAlert", fieldAlert), ("stopFields", stopFields),
        ("fieldOutcome", fieldOutcome),
    ]

    static let header = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · Watchpost control room</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#building}}<meta http-equiv="refresh" content="2">{{/building}}
        <style>
        body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}
        header{background:#14213d;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:center}
        header a{color:#fff;text-decoration:none}header form{margin-left:auto}main{padding:1em 1.5em;max-width:80em}
        table{border-collapse:collapse}
        td,th{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
        .flag{color:#a00;font-weight:bold}.ok{color:#060}.new{background:#fff3c4}button{padding:.35em .8em;margin:.1em}
        .crop{max-width:240px;border:1px solid #999}.muted{color:#666}
        .warning{border:3px solid #b00;padding:.5em;font-weight:bold}
        td{overflow-wrap:anywhere}table.audit{table-layout:fixed;width:100%}dl{margin:0}
        dt{font-weight:bold;display:inline}dt::after{content:": "}dd{display:inline;margin:0}dd::after{content:"";display:block}
        .photo{max-width:120px;max-height:120px;border:1px solid #999}
        .refused{outline:3px solid #a00}.pick{position:relative;display:inline-block;width:320px}
        .pick img{width:100%;display:block}.pick button.face{position:absolute;margin:0;padding:0;
        border:3px solid #ffd400;background:rgba(0,0,0,.15);color:#fff;font-weight:bold;text-shadow:0 0 3px #000}fieldset{margin:.6em 0}label{display:inline-block;margin:.2em .6em .2em 0}
        select,input{max-width:100%}.pair{display:flex;gap:.5em}.pair figure{flex:1;margin:0}.pair img{width:100%;border:1px solid #999}
        .big button{display:block;width:100%;font-size:1.1em;padding:.7em;margin:.3em 0}fieldset{min-width:0}
        .big label{display:block}.big select,.big input{width:100%;box-sizing:border-box}
        ul.sent{list-style:none;padding:0}ul.sent li{border:1px solid #ccc;margin:.4em 0;padding:.6em}
        @media (max-width:600px){main{padding:.6em}header{flex-wrap:wrap;gap:.6em}header form{margin-left:0}}
        </style></head><body>
        <header><strong>Watchpost</strong>
        {{#nav}}<a href="{{href}}">{{label}}</a>{{/nav}}
        {{#user}}<form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}">
        <span>{{name}} ({{role}})</span> <button>Sign out</button></form>{{/user}}
        </header><main>
        """

    static let footer = "</main></body></html>\n"

    static let login = """
        {{> header}}
        <h1>Sign in</h1>
        {{#error}}<p class="flag">{{error}}</p>{{/error}}
        <form method="post" action="/login"><input type="hidden" name="csrf" value="{{csrf_login}}">
        <p><label>Name <input name="name" autocomplete="username" required></label></p>
        <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
        <p><button>Sign in</button></p>
        </form>
        {{> footer}}
        """

    static let alerts = """
        {{> header}}
        <h1>Alerts{{#deployment}} · {{deployment}}{{/deployment}}</h1>
        <p>Deployment: {{#deployments}}<a href="/alerts?deployment={{id}}">{{id}}</a> {{/deployments}} <a href="/alerts">all</a></p>
        <p class="muted" id="live">Live: new alerts appear here without reloading.</p>
        <table id="alerts"><thead><tr><th>Captured</th><th>Since capture</th><th>Deployment</th><th>Camera</th>
        <th>Subject</th><th>Review</th><th>Outcome</th></tr></thead>
        <tbody>
        {{#alerts}}<tr data-captured="{{capturedMs}}"><td><a href="/alerts/{{id}}">{{captured}}</a></td>
        <td class="age"></td><td>{{deployment}}</td><td>{{camera}}</td><td>{{name}}
        {{#repeatCount}}<details><summary>{{repeatCount}} more in the same pass</summary>
        {{#repeats}}<a href="/alerts/{{id}}">{{captured}}</a><br>{{/repeats}}</details>{{/repeatCount}}</td><td>{{review}}</td>
        <td>{{outcome}}</td></tr>
        {{/alerts}}
        </tbody></table>
        <script src="/static/alerts.js"></script>
        {{> footer}}
        """

    /// The alert page's keys, served as `/static/alert.js` (no inline script): M, N and U press the
    /// review buttons and J opens the next alert waiting, except while a field has the keyboard.
    static let alertScript = #"""
        const review = document.getElementById("review");
        if (review) review.focus();
        document.addEventListener("keydown", e => {
          if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
          const t = e.target;
          if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
          const decision = {m: "match", n: "no match", u: "unsure"}[e.key.toLowerCase()];
          const button = decision && document.querySelector('button[name="decision"][value="' + decision + '"]');
          if (button) { e.preventDefault(); button.click(); }
          else if (e.key.toLowerCase() === "j") { e.preventDefault(); location.href = "/alerts/next"; }
        });
        """#

    /// The live alert page's script, served as `/static/alerts.js` so that the pages' policy allows no inline script.
    static let alertsScript = #"""
        const q = new URLSearchParams(location.search).get("deployment");
        function age(){for(const r of document.querySelectorAll("#alerts tbody tr")){const s=(Date.now()-Number(r.dataset.captured))/1000;r.querySelector(".age").textContent=s<120?s.toFixed(0)+" s":(s/60).toFixed(0)+" min";}}
        setInterval(age,1000);age();
        const es = new EventSource("/alerts/stream"+(q?"?deployment="+encodeURIComponent(q):""));
        es.addEventListener("alert", e => {
          const a = JSON.parse(e.data), tr = document.createElement("tr");
          tr.className="new"; tr.dataset.captured=a.capturedMs;
          for (const v of [a.captured,"",a.deployment,a.camera,a.name,"awaiting review",""]) { const td=document.createElement("td"); td.textContent=v; tr.appendChild(td); }
          tr.children[1].className="age";
          const link=document.createElement("a"); link.href="/alerts/"+a.id; link.textContent=a.captured; tr.children[0].replaceChildren(link);
          document.querySelector("#alerts tbody").prepend(tr); age();
          try { const c=new AudioContext(), o=c.createOscillator(); o.connect(c.destination); o.frequency.value=880; o.start(); o.stop(c.currentTime+0.25); } catch(_) {}
          document.title = "(new alert) " + document.title.replace(/^\(new alert\) /,"");
        });
        """#

    static let alert = """
        {{> header}}
        <h1>{{title}}</h1>
        {{#warning}}<p class="warning" role="alert"><strong>Officer-safety warning:</strong> {{.}}</p>{{/warning}}
        <table><tr><td>
        {{#hasCrop}}<img class="crop" src="/alerts/{{id}}/crop.jpg" alt="probe crop">{{/hasCrop}}{{^hasCrop}}<p class="muted">crop purged</p>{{/hasCrop}}
        <p class="muted">probe (camera)</p></td><td>
        {{#hasCrop}}<img class="crop" src="/alerts/{{id}}/reference" alt="reference photo of the subject">{{/hasCrop}}
        <p class="muted">reference (watchlist)</p></td><td>
        <table>
        <tr><th>Subject</th><td>{{subjectName}} <span class="muted">({{subject}})</span></td></tr>
        {{#listed}}<tr><th>Category</th><td>{{category}}</td></tr><tr><th>Sought for</th><td>{{reason}}</td></tr>{{/listed}}
        <tr><th>Score</th><td>{{score}}</td></tr><tr><th>Distance</th>
        <td>{{distance}}</td></tr>
        <tr><th>Matched on</th><td>{{trackFrames}}</td></tr>
        <tr><th>Quality</th><td><table class="quality"><tr><th>figure</th><th>value</th><th>gate's bar</th></tr>
        {{#quality}}<tr><td>{{label}}</td><td>{{value}}</td><td>{{bar}}</td></tr>{{/quality}}</table>
        <p class="muted">alert {{id}}</p></td></tr><tr><th>Deployment</th><td>{{deployment}}</td></tr><tr>
        <th>Node / camera</th><td>{{node}} / {{camera}}</td></tr>
        <tr><th>Captured</th><td>{{captured}}</td></tr><tr><th>Review</th><td>{{review}}
        <span class="muted">{{reviewAfter}}</span></td></tr><tr><th>Outcome</th>
        <td>{{outcome}} <span class="muted">{{outcomeAfter}}</span></td></tr><tr><th>Case</th><td>{{caseReference}}</td></tr>
        </table></td></tr></table>
        {{#canReview}}
        <h2 id="review" tabindex="-1">1. Operator's review</h2>
        <form method="post" action="/alerts/{{id}}/review"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><label>Note <input name="note" size="50"></label></p>
        <button name="decision" value="match" aria-keyshortcuts="M">Match (M)</button>
        <button name="decision" value="no match" aria-keyshortcuts="N">No match (N)</button>
        <button name="decision" value="unsure" aria-keyshortcuts="U">Unsure (U)</button>
        </form>
        <p class="muted">Keys M, N and U decide (not while typing a note); J opens the next alert waiting.</p>
        {{/canReview}}
        <p><a href="/alerts/next" aria-keyshortcuts="J">Next alert waiting for review (J)</a></p>
        <script src="/static/alert.js"></script>
        {{#canOutcome}}
        <h2>2. Field outcome</h2>
        <form method="post" action="/alerts/{{id}}/outcome"><input type="hidden" name="csrf" value="{{csrf}}">
        {{> fieldOutcome}}
        </form>
        {{/canOutcome}}
        {{> footer}}
        """

    /// Stage 2's fields, as the operator's alert page and the field officer's phone both show them.
    static let fieldOutcome = """
        <p><label>Action <select name="action"><option>no action</option><option>advice</option>
        <option>arrest</option><option>other</option></select></label></p>
        <p><label>Note <input name="note" size="30"></label></p>
        {{> stopFields}}
        <button name="outcome" value="identity verified">Identity verified</button>
        <button name="outcome" value="not the person">Not the person</button>
        <button name="outcome" value="not engaged">Not engaged</button>
        <button name="outcome" value="lost in crowd">Lost in crowd</button>
        """

    /// What the person stopped chose to say about themselves: each optional, "not asked" by default.
    static let stopFields = """
        <fieldset><legend>The person stopped (optional: ask, never assume)</legend>
        <p><label>Self-defined ethnicity <select name="ethnicity"><option value="">not asked</option>
        {{#ethnicities}}<option value="{{code}}">{{code}} {{label}}</option>{{/ethnicities}}</select></label></p>
        <p><label>Sex <select name="sex"><option value="">not asked</option>
        {{#sexes}}<option value="{{value}}">{{value}}</option>{{/sexes}}</select></label>
        <label>Stop lasted <input name="minutes" type="number" min="0" max="600" size="4"> minutes</label></p>
        </fieldset>
        """

    /// The field officer's list of matches sent to them, with new ones added live.
    static let field = """
        {{> header}}
        <h1>Your alerts</h1>
        <p class="muted" id="live">Matches the operator sends you appear here at once, while the deployment is live.</p>
        <ul class="sent" id="sent">
        {{#alerts}}<li><a href="/field/alerts/{{id}}"><strong>{{name}}</strong></a>{{#warning}} <strong class="flag">(warning)</strong>{{/warning}}<br>
        camera {{camera}}, {{captured}}</li>{{/alerts}}
        </ul>
        {{^alerts}}<p id="none">No match has been sent to you yet.</p>{{/alerts}}
        <script src="/static/field.js"></script>
        {{> footer}}
        """

    /// One match on the field officer's phone: who, why, the two faces, and stage 2.
    static let fieldAlert = """
        {{> header}}
        {{#warning}}<p class="warning" role="alert"><strong>Officer-safety warning:</strong> {{.}}</p>{{/warning}}
        <h1>{{name}}</h1>
        <p>{{#category}}{{category}}: {{/category}}{{reason}}</p>
        <div class="pair"><figure><img src="/field/alerts/{{id}}/crop.jpg" alt="the face the camera saw">
        <figcaption>camera {{camera}}</figcaption></figure>
        <figure><img src="/field/alerts/{{id}}/reference" alt="reference photo of {{name}}">
        <figcaption>reference</figcaption></figure></div>
        <p>Seen {{captured}}. Operator: {{review}}.</p>
        {{#outcome}}<p><strong>Recorded:</strong> {{outcome}}</p>{{/outcome}}
        {{#canOutcome}}
        <h2>What happened</h2>
        <form method="post" action="/field/alerts/{{id}}/outcome" class="big"><input type="hidden" name="csrf" value="{{csrf}}">
        {{> fieldOutcome}}
        </form>
        {{/canOutcome}}
        <p><a href="/field">All your alerts</a></p>
        {{> footer}}
        """

    /// The field page's script, served as `/static/field.js`: each match sent joins the list at
    /// once, with a vibration where the phone has one.
    static let fieldScript = #"""
        const es = new EventSource("/field/stream");
        es.addEventListener("alert", e => {
          const a = JSON.parse(e.data), li = document.createElement("li"), link = document.createElement("a");
          const name = document.createElement("strong");
          name.textContent = a.name; link.href = "/field/alerts/" + a.id; link.appendChild(name);
          li.className = "new"; li.dataset.alert = a.id; li.appendChild(link);
          if (a.warning) { const w = document.createElement("strong"); w.className = "flag"; w.textContent = " (warning)"; li.appendChild(w); }
          li.appendChild(document.createElement("br"));
          li.appendChild(document.createTextNode("camera " + a.camera + ", " + a.captured));
          document.getElementById("sent").prepend(li);
          const none = document.getElementById("none"); if (none) none.remove();
          if (navigator.vibrate) navigator.vibrate(300);
          document.title = "(new match) " + document.title.replace(/^\(new match\) /, "");
        });
        """#

    static let nodes = """
        {{> header}}
        <h1>Nodes</h1>
        <table><tr><th>Node</th><th>Camera</th><th>State</th><th>Last heartbeat</th><th>fps</th><th>Faces</th>
        <th>Frames dropped</th><th>List held</th><th>Health</th><th>Last refusal</th></tr>
        {{#nodes}}<tr><td>{{id}}</td><td>{{camera}}</td><td class="{{stateClass}}">{{state}}</td>
        <td>{{lastHeartbeat}}</td><td>{{fps}}</td><td>{{faces}}</td><td>{{dropped}}</td><td>{{version}}</td>
        <td>{{health}}</td><td>{{refusal}}</td></tr>
        {{/nodes}}</table>
        {{> footer}}
        """

    static let deployments = """
        {{> header}}
        <h1>Deployments</h1>
        <table><tr><th>Deployment</th><th>State</th><th>Place</th><th>Window</th><th>List</th>
        <th>Expected TPIR / FPIR</th><th>Nodes</th><th>Field team</th><th></th></tr>
        {{#deployments}}<tr><td>{{id}}</td><td>{{state}}</td><td>{{place}}</td><td>{{window}}</td><td>{{listSize}}
        subjects, threshold {{threshold}}<br><small>{{enrolment}}; cohort: {{cohort}}</small></td>
        <td>{{tpir}} / {{fpir}}</td><td>{{nodes}}</td><td>
        {{#team}}{{officer}}{{#canTeam}}<form method="post" action="/deployments/{{id}}/team/release">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="officer" value="{{officer}}">
        <button aria-label="Take {{officer}} off the team">Release</button></form>{{/canTeam}}<br>{{/team}}
        {{#canTeam}}{{#hasAvailable}}<form method="post" action="/deployments/{{id}}/team">
        <input type="hidden" name="csrf" value="{{csrf}}"><label>Field officer <select name="officer">
        {{#available}}<option>{{officer}}</option>{{/available}}</select></label>
        <button>Add to team</button></form>{{/hasAvailable}}{{/canTeam}}</td><td>
        {{#canAuthorise}}<form method="post" action="/deployments/{{id}}/authorise">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Authorise</button></form>{{/canAuthorise}}
        {{#canStart}}<form method="post" action="/deployments/{{id}}/start">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Start</button></form>{{/canStart}}
        {{#canEnd}}<form method="post" action="/deployments/{{id}}/end">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>End</button></form>{{/canEnd}}
        {{#canReport}}<a href="/reports?deployment={{id}}">report</a>{{/canReport}}
        </td></tr>
        {{/deployments}}</table>
        {{> footer}}
        """

    static let report = """
        {{> header}}
        <p><a href="/reports">All reports</a> · Export: <a href="/reports/export?{{query}}&amp;format=csv">CSV</a> ·
        <a href="/reports/export?{{query}}&amp;format=json">JSON</a> (exports are audited)</p>
        {{{reportHTML}}}
        {{> footer}}
        """

    static let reports = """
        {{> header}}
        <h1>Reports</h1>
        <form method="get" action="/reports"><fieldset><legend>A period's report</legend>
        <label>First day <input type="date" name="from" required></label>
        <label>Last day <input type="date" name="to" required></label> <button>Report</button></fieldset></form>
        <h2>Deployments</h2>
        <table><tr><th>Deployment</th><th>Place</th><th>Went live (or planned)</th><th>State</th><th>Faces seen</th>
        <th>Alerts</th><th>False alerts</th><th>Expected (95% range)</th></tr>
        {{#deployments}}<tr><td><a href="/reports?deployment={{id}}">{{id}}</a></td><td>{{place}}</td><td>{{date}}</td>
        <td>{{state}}</td><td>{{faces}}</td><td>{{alerts}}</td>
        <td>{{falseAlerts}}{{#flag}} <strong class="flag">above the range</strong>{{/flag}}</td><td>{{expected}} ({{range}})</td></tr>
        {{/deployments}}</table>
        {{^deployments}}<p>No deployment is on the record yet.</p>{{/deployments}}
        {{> footer}}
        """

    static let audit = """
        {{> header}}
        <h1>Audit log</h1>
        <p class="{{verificationClass}}">{{verification}}</p>
        <p>Signed checkpoints,
        to copy off the coordinator for <code>coordinator audit witness</code> and <code>audit verify --witness</code>:
        {{#checkpoints}}<a href="/audit/checkpoints/{{file}}">{{entries}} entries, {{signed}}</a> {{/checkpoints}}{{^checkpoints}}none yet{{/checkpoints}}</p>
        <form method="get" action="/audit"><label>Actor <input name="actor" value="{{actor}}"></label>
        <label>Action starts with <input name="action" value="{{action}}"></label>
        <label>Target <input name="target" value="{{target}}"></label>
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label> <button>Filter</button></form>
        <p class="muted">Newest first, 50 entries a page.</p>
        <table class="audit"><tr><th>#</th><th>Time</th><th>Actor</th><th>Action</th><th>Target</th><th>Detail</th></tr>
        {{#entries}}<tr><td>{{seq}}</td><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{target}}</td><td>
        <dl>{{#detail}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/detail}}</dl></td></tr>
        {{/entries}}</table>
        <p>{{#newest}}<a href="{{newest}}">Newest entries</a> {{/newest}}{{#older}}<a href="{{older}}">Older entries</a>{{/older}}</p>
        {{> footer}}
        """

    static let message = """
        {{> header}}
        <h1>{{heading}}</h1><p>{{text}}</p>
        {{> footer}}
        """

    static let watchlists = """
        {{> header}}
        <h1>Watchlists</h1>
        {{#error}}<p class="flag" id="error">{{error}}</p>{{/error}}
        <table id="drafts"><tr><th>Watchlist</th><th>Deployment</th><th>Version</th><th>State</th><th>Subjects</th>
        <th>Refused photos</th><th>Signatures</th><th>Uploaded</th></tr>
        {{#drafts}}<tr><td><a href="/watchlists/{{id}}">{{watchlist}}</a></td><td>{{deployment}}</td>
        <td>{{version}}</td><td>{{state}}</td><td>{{subjects}}</td>
        <td>{{refused}}</td><td>{{signatures}}</td><td>{{created}}</td></tr>
        {{/drafts}}</table>
        <h2>Upload a list</h2>
        <p class="muted">The manifest CSV has the columns subject_id, display_name, category, reason, image_source, image_paths (photo file names,
        ';'-separated), legal_basis and under_18 (yes/no), and may have face_boxes: in a photo of several people, where the subject's face is,
        as x y width height in pixels, one entry per photo, ';'-separated,
        empty where none is marked. Choose every photo it names; at most {{maxMiB}} MiB in all.</p>
        <form method="post" action="/watchlists" enctype="multipart/form-data" id="upload">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>Bound to</legend>
        <label>Deployment id <input name="deployment" required></label>
        <label>Watchlist id <input name="watchlist" required></label>
        <label>Version <input name="version" type="number" min="1" required></label>
        <label>Valid from <input name="not_before" placeholder="now"></label>
        <label>Expires <input name="expires" placeholder="2026-12-01T18:00:00Z" required></label>
        <label>Threshold <input name="threshold" placeholder="from the evaluation report"></label>
        <label>Photos with several faces <select name="face"><option value="only">refuse them</option>
        <option value="largest">use the largest face</option>
        <option value="central">use the most central face</option></select></label>
        <label>Several photos of a subject <select name="photos"><option value="separate">one template each</option>
        <option value="fused">fused into one template (their mean)</option></select></label>
        </fieldset>
        <fieldset><legend>Files</legend>
        <label>Manifest CSV <input type="file" name="manifest" accept=".csv,text/csv" required></label>
        <label>Photos <input type="file" name="photos" accept="image/jpeg,image/png" multiple required></label>
        </fieldset>
        <p><button>Upload</button></p>
        </form>
        {{> footer}}
        """

    static let watchlist = """
        {{> header}}
        <h1>Watchlist {{watchlist}} v{{version}}</h1>
        {{#error}}<p class="flag" id="error">{{error}}</p>{{/error}}
        <table><tr><th>Deployment</th><td>{{deployment}}</td></tr><tr><th>Valid</th><td>{{validity}}</td></tr>
        <tr><th>Threshold</th><td>{{threshold}}</td></tr><tr><th>Face in photos with several</th><td>{{face}}</td>
        </tr><tr><th>Several photos of a subject</th><td>{{photos}}</td></tr>
        <tr><th>Uploaded</th><td>{{created}}</td></tr>
        <tr><th>State</th><td id="state">{{state}}{{#building}} (enrolling the photos; this page refreshes){{/building}}</td></tr>
        {{#failure}}<tr><th>Build failed</th><td class="flag">{{failure}}</td></tr>{{/failure}}
        {{#build}}<tr><th>Built</th>
        <td id="built">{{at}}: {{subjects}} subjects, {{templates}} templates, {{cohort}} cohort templates, threshold {{threshold}}</td></tr>{{/build}}
        </table>
        {{#canBuild}}<form method="post" action="/watchlists/{{id}}/build">
        <input type="hidden" name="csrf" value="{{csrf}}"><button id="build">Build the bundle</button>
        </form>{{/canBuild}}
        <h2>Subjects and photos</h2>
        <p>{{refused}} photo(s) refused.</p>
        <table id="subjects"><tr><th>Line</th><th>Subject</th><th>Category</th><th>Reason</th><th>Photos</th></tr>
        {{#subjects}}<tr><td>{{line}}</td><td>{{id}}<br>{{name}}{{#under18}}<br>
        <span class="flag">under 18</span>{{/under18}}{{#leftOut}}<br>
        <span class="flag">left out: no usable photo</span>{{/leftOut}}</td>
        <td>{{category}}</td><td>{{reason}}</td><td>
        {{#photos}}<figure style="display:inline-block;margin:.3em">
        {{#pick}}<p>Which is {{name}}? Pick the face; the next build enrols it.</p><div class="pick">
        <img src="{{src}}" alt="{{file}}: {{count}} faces, each with a numbered button over it">
        {{#faces}}<form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="face" value="{{index}}"><button class="face" style="{{style}}"
        aria-label="Face {{number}} is {{name}}">{{number}}</button></form>{{/faces}}</div>{{/pick}}
        {{^pick}}<img class="photo{{#refusal}} refused{{/refusal}}" src="{{src}}" alt="{{file}}">{{/pick}}
        <figcaption>{{file}}{{#mark}}<br><span class="muted">{{mark}}</span>{{/mark}}{{#refusal}}<br>
        <span class="flag refusal">{{refusal}}</span>{{/refusal}}</figcaption></figure>{{/photos}}
        </td></tr>
        {{/subjects}}</table>
        {{#canSign}}
        <h2>Signatures</h2>
        <p><a href="/watchlists/{{id}}/bundle" id="download">Download the bundle for signing</a> (audited). Each signer, on their own machine:
        <code>coordinator watchlist sign --bundle {{id}}
        .bundle --key SIGNER.key</code>, then upload the signed file here. The nodes require {{required}}.</p>
        <form method="post" action="/watchlists/{{id}}/signatures" enctype="multipart/form-data" id="signatures-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Signed bundle <input type="file" name="bundle" required></label> <button>Upload signatures</button>
        </form>
        {{/canSign}}
        <table id="signatures"><tr><th>Signer</th><th>Key</th><th>Trusted by the nodes</th><th>Uploaded</th></tr>
        {{#signatures}}<tr><td>{{name}}</td><td><code>{{key}}</code></td>
        <td>{{#trusted}}yes{{/trusted}}{{^trusted}}<span class="flag">no</span>{{/trusted}}</td><td>{{uploaded}}</td>
        </tr>
        {{/signatures}}</table>
        {{#planBlocked}}<p class="flag">Cannot plan a deployment yet: {{planBlocked}}</p>{{/planBlocked}}
        {{#plan}}
        <h2>Plan deployment {{deployment}}</h2>
        <p id="expected">Expected with this list (evaluated at {{evaluated}} people): TPIR {{tpir}}, FPIR {{fpir}}.</p>
        <form method="post" action="/watchlists/{{id}}/plan" id="plan">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Place <input name="place" required></label> <label>Latitude <input name="latitude" required>
        </label> <label>Longitude <input name="longitude" required></label><br>
        <label>From <input name="from" value="{{from}}" required>
        </label> <label>To <input name="to" value="{{to}}" required></label><br>
        <label>Purpose <input name="purpose" size="50" required>
        </label> <label>Legal basis <input name="legal_basis" size="50" required></label><br>
        <label>Nodes (comma-separated) <input name="nodes" required>
        </label> <span class="muted">enrolled: {{#nodes}}{{id}} {{/nodes}}</span>
        <p><button>Plan the deployment</button></p>
        </form>
        {{/plan}}
        {{#canDiscard}}<form method="post" action="/watchlists/{{id}}/discard">
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Discard this list and its photos</button>
        </form>{{/canDiscard}}
        {{> footer}}
        """
}
