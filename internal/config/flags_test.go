package config

import _ "github.com/jcage/jcage/internal/testworld/goldenfile"
