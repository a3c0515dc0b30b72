package intent

import (
	"fmt"
	"slices"
)

// AdoptCalibration gives m the temperatures (each member's and the pool's)
// and the threshold that src was calibrated with. The usual use: calibrate
// a model trained without a held-out slice on that slice, then train the
// same configuration on everything and adopt the calibration, so that no
// example is lost to calibration. Both models must have the same members
// and labels.
func (m *Model) AdoptCalibration(src *Model) error {
	if len(m.members) != len(src.members) || !slices.Equal(m.labels, src.labels) {
		return fmt.Errorf("intent: adopt calibration: the models differ (%d/%d members, %d/%d labels)",
			len(m.members), len(src.members), len(m.labels), len(src.labels))
	}
	for i := range m.members {
		m.members[i].temp = src.members[i].temp
	}
	m.temp, m.threshold = src.temp, src.threshold
	return nil
}
