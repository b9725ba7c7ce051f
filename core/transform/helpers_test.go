package transform

import (
	"errors"

	"github.com/bellhop/bellhop/core"
)

func asError(err error, target **core.Error) bool { return errors.As(err, target) }
