package naming

// Type tokens of Conveyor's ComponentResources. They are names like the others: the
// components register under them, and the command finds a module's resources in a stack's
// state by them (a targeted deploy), so both must read them from one place. They live here,
// not in package components, so that the command's stack operations can name them without
// compiling the GCP SDK that components imports.
const (
	TypeCluster   = "conveyor:platform:Cluster"
	TypeSpace     = "conveyor:platform:Space"
	TypeModule    = "conveyor:platform:Module"
	TypeComponent = "conveyor:platform:Component"
	// TypePlatform is the type token of an environment's platform namespace on GKE.
	TypePlatform = "conveyor:platform:Platform"
)
