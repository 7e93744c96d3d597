-- Argo CD health check of the cqlsync.io kinds (CassandraConnection, ClusterCassandraConnection,
-- Keyspace, TableModel, UserType, Backfill). Argo CD runs it with the object as the global `obj`;
-- it returns {status, message}. make manifests copies it into config/argocd/argocd-cm.yaml and the
-- Helm chart.
--
-- It uses only Lua's base and table libraries: Argo CD opens no others (no string, no math) for a
-- script of argocd-cm unless resource.customizations.useOpenLibs.<group_kind> is "true".
--
--   no conditions yet, or status.observedGeneration behind metadata.generation: Progressing
--   Stalled=True, reason Paused, AwaitingApproval or DryRun (a person is to act): Suspended
--   Stalled=True otherwise (nothing changes until a person acts): Degraded
--   Ready=True: Healthy
--   Reconciling=True, or Ready False or Unknown: Progressing

local function condition(conditions, kind)
  for _, c in ipairs(conditions) do
    if type(c) == "table" and c.type == kind then
      return c
    end
  end
  return nil
end

-- "reason: message", or the one of them that is set.
local function describe(c)
  local reason = c.reason ~= nil and tostring(c.reason) or ""
  local message = c.message ~= nil and tostring(c.message) or ""
  if reason == "" then
    return message
  end
  if message == "" then
    return reason
  end
  return reason .. ": " .. message
end

local waitsForAPerson = { Paused = true, AwaitingApproval = true, DryRun = true }

local hs = {}
local metadata = obj.metadata or {}
local status = obj.status or {}
local conditions = status.conditions
local generation = metadata.generation
local observed = status.observedGeneration

local behind = type(generation) == "number" and (type(observed) ~= "number" or observed < generation)
if type(conditions) ~= "table" or #conditions == 0 or behind then
  hs.status = "Progressing"
  if type(generation) == "number" then
    hs.message = "waiting for the operator to observe generation " .. tostring(generation)
  else
    hs.message = "waiting for the operator"
  end
  return hs
end

local stalled = condition(conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  if waitsForAPerson[stalled.reason] then
    hs.status = "Suspended"
  else
    hs.status = "Degraded"
  end
  hs.message = describe(stalled)
  return hs
end

local ready = condition(conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message ~= nil and tostring(ready.message) or ""
  return hs
end

local reconciling = condition(conditions, "Reconciling")
hs.status = "Progressing"
if reconciling ~= nil and reconciling.status == "True" then
  hs.message = describe(reconciling)
elseif ready ~= nil then
  hs.message = describe(ready)
else
  hs.message = "waiting for the Ready condition"
end
return hs
