// Package gitops computes the health that GitOps tools read from a cqlsync object, the way they
// compute it, so that unit tests can check the operator's conditions against them without a
// cluster:
//
//   - ArgoHealth runs config/argocd/health.lua as Argo CD runs a health customization of argocd-cm;
//   - KStatus is kstatus' status.Compute, which Flux's health checks (`wait: true`) use.
package gitops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// HealthScript is the path of the Argo CD health script, relative to the repository root.
const HealthScript = "config/argocd/health.lua"

// The health statuses Argo CD accepts from a script; any other becomes Unknown.
var argoStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

var (
	scriptOnce sync.Once
	script     string
	scriptErr  error
)

func healthScript() (string, error) {
	scriptOnce.Do(func() {
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), HealthScript))
		script, scriptErr = string(data), err
	})
	return script, scriptErr
}

// ArgoHealth is the health that Argo CD's health customization (config/argocd/health.lua, set in
// argocd-cm without useOpenLibs) gives obj. Like Argo CD (util/lua/lua.go), it:
//   - opens only the package, base and table libraries of gopher-lua (Argo CD adds a reduced os
//     library with time and date only; it is left out here, the script must not use it);
//   - sets the global obj to the object converted value by value: maps to tables, slices to
//     arrays, bool, string and numbers (float64, int, int32, int64) to Lua's, a json.Number to a string, nil and any other
//     Go type to nil;
//   - runs the script with a 1 s deadline and reads the table it returns; a status that is not
//     one of Argo CD's becomes Unknown "Lua returned an invalid health status", and nil gives "".
//
// Argo CD never runs the script for an object being deleted (metadata.deletionTimestamp set):
// gitops-engine reports Progressing "Pending deletion" before. ArgoHealth runs it anyway, so that
// tests can check the script on such objects too.
func ArgoHealth(obj map[string]any) (healthStatus, message string, err error) {
	src, err := healthScript()
	if err != nil {
		return "", "", err
	}
	return runHealth(src, obj)
}

// runHealth runs the health script src on obj as Argo CD does.
func runHealth(src string, obj map[string]any) (healthStatus, message string, err error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return "", "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(src); err != nil {
		return "", "", fmt.Errorf("the health script: %w", err)
	}
	ret := l.Get(-1)
	switch ret.Type() {
	case lua.LTNil:
		return "", "", nil
	case lua.LTTable:
	default:
		return "", "", fmt.Errorf("expect table output from Lua script, not %s", ret.Type())
	}
	t := ret.(*lua.LTable)
	field := func(name string) (string, error) {
		switch v := t.RawGetString(name).(type) {
		case *lua.LNilType:
			return "", nil
		case lua.LString:
			return string(v), nil
		default:
			return "", fmt.Errorf("the script's %s is a %s, want a string", name, v.Type())
		}
	}
	if healthStatus, err = field("status"); err != nil {
		return "", "", err
	}
	if message, err = field("message"); err != nil {
		return "", "", err
	}
	if !argoStatuses[healthStatus] {
		return "Unknown", "Lua returned an invalid health status", nil
	}
	return healthStatus, message, nil
}

// toLua converts a value of an unstructured object as Argo CD's decodeValue does.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case []any:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(toLua(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for key, item := range v {
			tbl.RawSetH(lua.LString(key), toLua(l, item))
		}
		return tbl
	}
	return lua.LNil
}

// KStatus is kstatus' status of obj (status.Compute): Current, InProgress, Failed, Terminating...,
// and its message.
func KStatus(obj map[string]any) (kstatus, message string, err error) {
	res, err := status.Compute(&unstructured.Unstructured{Object: obj})
	if err != nil {
		return "", "", err
	}
	if res == nil {
		return "", "", errors.New("kstatus computed no result")
	}
	return string(res.Status), res.Message, nil
}
