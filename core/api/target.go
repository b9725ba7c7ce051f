package api

import (
	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// targetKindKey holds, in a request's context, the kind of target its
// route group serves: /v1/webhook_endpoints/:id/… and /v1/connections/:id/…
// are thin routes onto the same handlers, which read the kind from here.
const targetKindKey = "bellhop.target_kind"

// targetKind marks the routes of a group as serving targets of kind.
func targetKind(kind string) gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(targetKindKey, kind) }
}

// target returns the target a request names: the kind its route group set
// and the :id of its path.
func target(c *gin.Context) core.Target {
	return core.Target{Kind: c.GetString(targetKindKey), ID: c.Param("id")}
}
