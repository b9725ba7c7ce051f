package sheets

import (
	_ "google.golang.org/api/option"
	_ "google.golang.org/api/sheets/v4"
)
