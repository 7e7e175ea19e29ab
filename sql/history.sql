-- history.sql: the database `procnet record --db FILE` writes (schema 1).
--
-- procnet creates it in a new (or empty) file, and refuses any other
-- database: PRAGMA application_id is 0x706e6831 ('pnh1') and user_version
-- the schema's number. Plain tables and views only, so that any SQLite
-- (the sqlite3 shell, Python, `procnet sql` after ATTACH) can read it.
--
-- Times are seconds since the epoch (UTC, fractions to the millisecond):
-- datetime(t, 'unixepoch', 'localtime') shows one. A sample's time is the
-- moment it started reading.
--
-- A lifetime (one row of socket_history or process_history) starts at the
-- first sample that saw it and ends when a sample no longer does: it was
-- gone somewhere between last_seen and gone. A socket whose closing the
-- kernel announced (a destroy notification: TCP and UDP) has `gone` set to
-- that moment instead, to the millisecond. A lifetime still open when its
-- run stopped has gone NULL: the view socket_lifetimes closes it at the
-- run's last sample. Each run of the recorder starts its lifetimes afresh.

-- One row per run of `procnet record`.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started REAL NOT NULL,
  interval REAL NOT NULL,          -- seconds between samples
  last_sample REAL,                -- the time of its last committed sample
  ended REAL,                      -- a clean stop (signal, --duration);
                                   -- NULL: still running, or killed
  pid INTEGER NOT NULL,            -- the recorder's process id
  host TEXT,                       -- uname's nodename
  version TEXT,                    -- procnet_version()
  root TEXT,                       -- the /proc tree read
  netns INTEGER,                   -- --netns: the one namespace recorded,
                                   -- NULL: every namespace
  destroy TEXT                     -- where destroy notifications were
                                   -- asked for: 'all', 'self' or 'off'
);

-- One row per sample, with the counts of what it saw.
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL REFERENCES runs(id),
  time REAL NOT NULL,
  took_ms REAL,                    -- time spent reading and writing it
  processes INTEGER,
  namespaces INTEGER,              -- network namespaces
  sockets INTEGER,                 -- TCP + UDP + unix
  tcp INTEGER, udp INTEGER, unix INTEGER,
  listen INTEGER,                  -- TCP in LISTEN
  established INTEGER,             -- TCP in ESTABLISHED
  close_wait INTEGER,              -- TCP in CLOSE_WAIT
  time_wait INTEGER,               -- TCP in TIME_WAIT
  opened INTEGER,                  -- socket lifetimes this sample saw first
  closed INTEGER,                  -- socket lifetimes that ended (either way)
  destroyed INTEGER,               -- destroy notifications received
  unseen INTEGER,                  -- of those, for sockets no sample saw
                                   -- (each a lifetime of its own)
  overflows INTEGER                -- times the kernel dropped notifications
                                   -- (a full receive buffer)
);

-- One row per process lifetime (a pid and its start time).
CREATE TABLE process_history (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL REFERENCES runs(id),
  pid INTEGER NOT NULL,
  start_time INTEGER,              -- processes.start_time
  ppid INTEGER,
  name TEXT,                       -- the command name (processes.name),
  cmdline TEXT,                    -- the last seen (a process that runs
                                   -- exec keeps its row)
  uid INTEGER,
  user TEXT,                       -- the uid's name, when /etc/passwd has it
  netns INTEGER,
  container TEXT,                  -- namespaces.container_id
  first_seen REAL NOT NULL,
  last_seen REAL,                  -- set when it is found gone
  gone REAL                        -- the first sample without it
);

-- One row per socket lifetime: TCP, UDP and unix sockets (not raw nor
-- UDP-Lite ones), those of every namespace procnet reads.
CREATE TABLE socket_history (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL,              -- tcp, udp, unix
  family TEXT,                     -- IPv4, IPv6, unix
  netns INTEGER,                   -- the socket's network namespace
  local_address TEXT, local_port INTEGER,
  remote_address TEXT, remote_port INTEGER,
  path TEXT,                       -- unix: the bound path
  inode INTEGER,                   -- NULL when only its closing was seen
  cookie INTEGER,                  -- the kernel's id of the socket
  uid INTEGER,                     -- the socket's owner
  user TEXT,
  pid INTEGER,                     -- the holder (lowest pid) at first sight,
                                   -- when a process holds it
  command TEXT,                    -- the holder's command name
  process INTEGER REFERENCES process_history(id),
  container TEXT,                  -- the holder's container, else the
                                   -- namespace's
  state TEXT,                      -- the last state seen
  states TEXT,                     -- every state seen, in order ('SYN_SENT
                                   -- ESTABLISHED CLOSE_WAIT')
  first_seen REAL,                 -- the first sample that saw it; NULL: no
                                   -- sample did (seen only at its close)
  last_seen REAL,                  -- the last sample that saw it, set when
                                   -- it ends
  gone REAL,                       -- when it ended (see ended_by); NULL:
                                   -- open when its run stopped
  ended_by TEXT,                   -- 'sample': first sample without it;
                                   -- 'destroy': the kernel's notification
  bytes_sent INTEGER,              -- TCP, from the destroy notification
  bytes_received INTEGER
);

-- A socket's states, each with the sample that first saw it in that state
-- (a state a socket left between two samples is not known).
CREATE TABLE socket_states (
  socket INTEGER NOT NULL REFERENCES socket_history(id),
  time REAL NOT NULL,
  state TEXT NOT NULL
);

-- One row per network namespace lifetime (seen through its processes),
-- and whether its destroy notifications were read.
CREATE TABLE netns_history (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL REFERENCES runs(id),
  netns INTEGER NOT NULL,
  container TEXT,
  first_seen REAL NOT NULL,
  gone REAL,
  destroy INTEGER NOT NULL,        -- 1: subscribed to its notifications
  destroy_error TEXT               -- why not, when it was asked for
);

CREATE INDEX socket_history_remote ON socket_history(remote_address, remote_port);
CREATE INDEX socket_history_local ON socket_history(local_port);
CREATE INDEX socket_history_first ON socket_history(first_seen);
CREATE INDEX socket_states_socket ON socket_states(socket);
CREATE INDEX process_history_pid ON process_history(pid);
CREATE INDEX samples_time ON samples(time);

-- Each socket lifetime with its bounds made explicit: `opened` is the first
-- sample that saw it (or its closing, when no sample did), `closed` when
-- it was gone (its run's last sample when still open then), and the local
-- times of both as text.
CREATE VIEW socket_lifetimes AS
SELECT s.*,
       coalesce(s.first_seen, s.gone)                       AS opened,
       coalesce(s.gone, r.last_sample)                      AS closed,
       s.gone IS NULL                                       AS open_at_end,
       datetime(coalesce(s.first_seen, s.gone), 'unixepoch', 'localtime') AS opened_at,
       datetime(coalesce(s.gone, r.last_sample), 'unixepoch', 'localtime') AS closed_at
FROM socket_history s JOIN runs r ON r.id = s.run;

CREATE VIEW process_lifetimes AS
SELECT p.*,
       coalesce(p.gone, r.last_sample)                      AS until,
       datetime(p.first_seen, 'unixepoch', 'localtime')     AS first_seen_at,
       datetime(coalesce(p.gone, r.last_sample), 'unixepoch', 'localtime') AS until_at
FROM process_history p JOIN runs r ON r.id = p.run;
